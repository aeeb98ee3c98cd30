/**
 * `npm start`'s console after the ready block: the sandboxes' log lines follow it, and after the
 * first few the sign-in and first click are printed once more, so they are not scrolled away.
 */
export class SandboxEcho {
	private on = false;
	private left = 0;
	private reminder: string[] = [];

	constructor(private readonly print: (text: string) => void) {}

	/** From now on lines are printed; after `after` of them, `reminder` once (0: never). */
	start(reminder: string[], after: number): void {
		this.on = true;
		this.reminder = reminder;
		this.left = after;
	}

	line(text: string): void {
		if (!this.on) return; // before the ready block: in the log file only
		this.print(text);
		if (this.left > 0 && --this.left === 0) this.print(['', ...this.reminder, ''].join('\n'));
	}
}
