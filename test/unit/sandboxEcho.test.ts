import { SandboxEcho } from '../../scripts/sandboxEcho';

describe("npm start's console after the ready block", () => {
	it('prints nothing before the ready block, then the lines, and the first steps once after the 3rd', () => {
		const printed: string[] = [];
		const echo = new SandboxEcho((text) => printed.push(text));
		echo.line('early');
		echo.start(['  Sign in 登录 …', '  First click …'], 3);
		for (const n of [1, 2, 3, 4, 5, 6]) echo.line(`line ${n}`);
		expect(printed).toEqual(['line 1', 'line 2', 'line 3', '\n  Sign in 登录 …\n  First click …\n', 'line 4', 'line 5', 'line 6']);
	});

	it('never repeats the first steps when told 0 (the real platform: no sandbox lines)', () => {
		const printed: string[] = [];
		const echo = new SandboxEcho((text) => printed.push(text));
		echo.start(['x'], 0);
		for (let n = 0; n < 20; n++) echo.line('l');
		expect(printed).toEqual(Array(20).fill('l'));
	});
});
