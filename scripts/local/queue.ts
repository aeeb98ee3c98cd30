/**
 * n8n's queue mode (scale-out) as a merchant with many machines runs it: Redis and Postgres
 * (services.ts), then `n8n start` (main), N `n8n worker`, M `n8n webhook`, all sharing one user
 * folder (one installed copy of the package) and one encryption key.
 * Why each setting is there: ../shared/N8N_NOTES.md, "Queue mode".
 */
import { ensureQueueServices, startPostgres, startRedis, type RunningPostgres } from './services';
import { allStarted, freePorts, type RunningProcess } from './processes';

/**
 * Queue settings for the crash tests and the crash bench: a dead worker's job is noticed in
 * seconds (n8n: lock 60 s, stalled check 30 s), and queue recovery runs every minute (n8n: 180).
 */
export const SHORT_QUEUE_LOCKS_ENV: Record<string, string> = {
	QUEUE_WORKER_LOCK_DURATION: '10000',
	QUEUE_WORKER_LOCK_RENEW_TIME: '5000',
	QUEUE_WORKER_STALLED_INTERVAL: '5000',
	N8N_EXECUTIONS_QUEUE_RECOVERY_INTERVAL: '1',
};

export const WORKER_CONCURRENCY = 10;

export interface QueueServices {
	redisPort: number;
	pgPort: number;
	/** Milliseconds each took to start. */
	timings: { redis: number; postgres: number };
	stop(): Promise<void>;
}

/** Redis and Postgres side by side, their data in `dir`; on a failure, what started is stopped. */
export async function startQueueServices(dir: string): Promise<QueueServices> {
	await ensureQueueServices();
	const [redisPort, pgPort] = await freePorts(2);
	const timings = { redis: 0, postgres: 0 };
	let redis: RunningProcess | undefined;
	let postgres: RunningPostgres | undefined;
	const stop = async () => {
		await redis?.stop(5_000);
		await postgres?.stop();
	};
	const timed = async <T>(part: keyof typeof timings, what: () => Promise<T>): Promise<T> => {
		const started = Date.now();
		const result = await what();
		timings[part] = Date.now() - started;
		return result;
	};
	try {
		await allStarted([timed('redis', async () => (redis = await startRedis(redisPort, dir))), timed('postgres', async () => (postgres = await startPostgres(pgPort, dir)))]);
	} catch (error) {
		await stop().catch(() => undefined);
		throw error;
	}
	return { redisPort, pgPort, timings, stop };
}

/** The queue-mode environment of one n8n process (`name`: main, worker1, webhook2, …). */
export function queueEnv(services: QueueServices, name: string, webhookUrl: string | undefined): Record<string, string> {
	return {
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(services.redisPort),
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: '127.0.0.1',
		DB_POSTGRESDB_PORT: String(services.pgPort),
		DB_POSTGRESDB_USER: 'postgres',
		DB_POSTGRESDB_PASSWORD: '',
		DB_POSTGRESDB_DATABASE: 'n8n',
		// Production webhooks only on the webhook processes (main still serves /webhook-test/).
		N8N_DISABLE_PRODUCTION_MAIN_PROCESS: 'true',
		// Where production webhooks are (what a load balancer would be): shown in the editor, $execution.resumeUrl.
		...(webhookUrl ? { WEBHOOK_URL: `${webhookUrl}/` } : {}),
		// Else every process appends to the same n8nEventLog*.log in the shared user folder.
		N8N_EVENTBUS_LOGWRITER_LOGBASENAME: `n8nEventLog-${name}`,
		QUEUE_HEALTH_CHECK_ACTIVE: 'false',
	};
}

/** A worker's own health server on `port` (default 5678 on all addresses otherwise). */
export const workerHealthEnv = (port: number): Record<string, string> => ({
	QUEUE_HEALTH_CHECK_ACTIVE: 'true',
	QUEUE_HEALTH_CHECK_PORT: String(port),
	N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
});
