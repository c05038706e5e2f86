// The L2 sequencer node core: genesis, mempool, block production with witnesses, persistence, JSON-RPC.
export * from "./errors";
export * from "./genesis";
export * from "../logger";
export { DEFAULT_MEMPOOL_SIZE, Mempool } from "./mempool";
export type { MempoolJournal, MempoolOptions } from "./mempool";
export { decodeRawTransaction } from "./rawTransaction";
export type { AnchorMeta, StoredBlock } from "./recordCodec";
export { DEFAULT_L2_RPC_PORT } from "./defaults";
export { createL2Dispatcher, l2Methods, startL2Rpc } from "./rpc";
export type { L2RpcOptions } from "./rpc";
export { DEFAULT_BLOCK_TIME_MS, L2_CLIENT_VERSION, Sequencer } from "./sequencer";
export type { SequencerConfig } from "./sequencer";
export { L2Store } from "./store";
export type * from "./types";
