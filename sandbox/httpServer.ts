import type { Server } from 'http';
import type { AddressInfo, Socket } from 'net';

/** The HTTP plumbing both sandboxes (DingShang's and the payment providers') share. */

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/** Both admin APIs (/__sandbox, /__payments) answer only clients on this machine. */
export function isLoopback(address: string | undefined): boolean {
	return address !== undefined && (LOOPBACK.has(address) || address.startsWith('127.') || address.startsWith('::ffff:127.'));
}

/** Tracks open sockets (for close) and answers malformed requests 400 instead of dropping them. */
export function trackConnections(server: Server): Set<Socket> {
	const sockets = new Set<Socket>();
	server.on('connection', (socket: Socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	server.on('clientError', (_error, socket: Socket) => {
		if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
		else socket.destroy();
	});
	return sockets;
}

/** Listens on host:port (0: a free port) and resolves with the base URL clients use. */
export async function listen(server: Server, port: number, host: string): Promise<string> {
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, () => {
			server.off('error', reject);
			resolve();
		});
	});
	const address = server.address() as AddressInfo;
	const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
	return `http://${shownHost}:${address.port}`;
}

/** A close() that may be called any number of times; `first` stops the caller's own timers before. */
export function closer(server: Server, sockets: Set<Socket>, first: () => void = () => undefined): () => Promise<void> {
	let closing: Promise<void> | undefined;
	return () => {
		closing ??= new Promise<void>((resolve) => {
			first();
			server.close(() => resolve());
			// Keep-alive sockets would hold server.close() (and jest) open: end them now.
			server.closeAllConnections();
			for (const socket of sockets) socket.destroy();
		});
		return closing;
	};
}
