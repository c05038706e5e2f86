// The servers' default host, in a module that loads nothing: the Hardhat plugin declares the
// devnet's and the node's --host from it while its config loads (./server.ts loads the error codec).

/** The interface a JSON-RPC server listens on unless told otherwise: this machine only. */
export const DEFAULT_RPC_HOST = "127.0.0.1";

/** The largest TCP port: a --port above it is refused by its flag rather than by listen(). */
export const MAX_TCP_PORT = 65_535;
