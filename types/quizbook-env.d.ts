// Under node (the grader parity test) the runtime exports its pure functions.
declare var module: { exports: unknown } | undefined;
