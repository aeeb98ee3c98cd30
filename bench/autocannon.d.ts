/** The part of autocannon 8's API the bench uses (the package ships no types). */
declare module 'autocannon' {
	interface Options {
		url: string;
		method?: string;
		connections?: number;
		amount?: number;
		duration?: number;
		timeout?: number;
		headers?: Record<string, string>;
		requests?: Array<{ method?: string; setupRequest?: (req: Record<string, unknown>) => Record<string, unknown> }>;
	}
	interface Result {
		'2xx': number;
		non2xx: number;
		errors: number;
		timeouts: number;
		requests: { average: number; total: number };
	}
	function autocannon(options: Options): Promise<Result>;
	export = autocannon;
}
