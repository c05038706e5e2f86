// The attester's defaults, in a module that loads nothing: the Hardhat plugin declares
// `rollup:attester`'s parameters from them while its config loads (./attesterServer.ts loads the
// circuit libraries).

/** Where an attester listens unless told otherwise (rollup:attester --host / --port). */
export const DEFAULT_ATTESTER_HOST = "127.0.0.1";
export const DEFAULT_ATTESTER_PORT = 9645;

/**
 * How long a node waits at start for an external attester that does not answer yet (started at
 * the same time, by docker-compose or systemd) before it refuses to start: `--attester-wait`.
 */
export const DEFAULT_ATTESTER_WAIT_MS = 60_000;
