// Commands beyond serve/keys register themselves here (demo, engine, bench) so that main.ts stays small.
export {};
