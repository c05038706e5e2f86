import { L2Error } from "../l2/errors";

/**
 * Errors of the follower node. They extend the L2 node's errors, so the JSON-RPC layer answers
 * them like other node errors (-32000 with the message), with a stable `code` and a `hint`.
 */
export class FollowerError extends L2Error {}

/**
 * L1 accepted a block the follower cannot reproduce from the data L1 holds: its body does not
 * execute on the follower's state, or executes to another hash. Derivation stops here, never forks.
 */
export class DerivationMismatchError extends FollowerError {
  constructor(
    readonly l2BlockNumber: bigint,
    message: string,
  ) {
    super(
      "FOLLOWER_MISMATCH",
      `L2 block ${l2BlockNumber}: ${message}`,
      "the follower stopped instead of forking: check that its genesis is the rollup's, then report the L1 transaction named above",
    );
  }
}

/** The body of an accepted block is neither in the calldata nor in the rollup's logs of the L1 transaction that accepted it. */
export class BodyNotFoundError extends FollowerError {
  constructor(l2BlockNumber: bigint, transactionHash: string, why: string) {
    super(
      "FOLLOWER_NO_BODY",
      `L2 block ${l2BlockNumber}: its body is not in L1 transaction ${transactionHash} (${why})`,
      "the rollup must publish every block it accepts: in the calldata of a direct call, or in its BlockData/ProposalData log (docs/design/derivability.md); a rollup built on an older NativeRollup does not emit BlockData",
    );
  }
}

/** No candidate body in the calldata matches its header's roots (the reason names the last mismatch). */
export class BodyMismatchError extends FollowerError {
  constructor(reason: string) {
    super("FOLLOWER_BODY_MISMATCH", reason, "the calldata holds the block's header but not the body it commits to");
  }
}

/**
 * The sequencer's URL as a follower's answers name it: its origin (scheme, host, port) only. The
 * follower answers any client, and an RPC URL often carries a credential — a user and password,
 * or a provider's API key in its path or query — which is the operator's, not the client's. A URL
 * that does not parse is not shown at all.
 */
export function publicSequencerUrl(sequencerRpc: string): string {
  try {
    const { origin } = new URL(sequencerRpc);
    return origin === "null" ? "the configured URL" : origin;
  } catch {
    return "the configured URL";
  }
}

/**
 * What a follower cannot do itself, having no pool and no keys (docs/design/follower.md): take a
 * transaction, sign one, or list pending ones. Each is answered by naming the sequencer.
 */
export type FollowerReadOnlyRequest = "transaction" | "signing" | "pool";

/**
 * A follower does not take, sign or pool transactions: they go to the sequencer. With the
 * sequencer's URL configured, raw transactions and the txpool_* reads are forwarded there instead
 * (this error is then only for eth_sendTransaction, which needs a key the follower does not hold).
 */
export class FollowerReadOnlyError extends FollowerError {
  constructor(configuredRpc: string | undefined, request: FollowerReadOnlyRequest = "transaction") {
    const sequencerRpc = configuredRpc === undefined ? undefined : publicSequencerUrl(configuredRpc);
    const at = sequencerRpc === undefined ? "" : ` at ${sequencerRpc}`;
    const message =
      request === "signing"
        ? `this node is a follower: it holds no keys and signs nothing; sign the transaction yourself and send it with eth_sendRawTransaction${sequencerRpc === undefined ? " to the rollup's sequencer" : `, which this follower forwards to the sequencer${at}`}`
        : request === "pool"
          ? `this node is a follower: it has no transaction pool (it derives blocks from L1); pending transactions wait in the rollup's sequencer's pool${at}`
          : `this node is a follower: it derives the chain from L1 and does not take transactions; send them to the rollup's sequencer${at}`;
    super(
      "FOLLOWER_READ_ONLY",
      message,
      sequencerRpc === undefined
        ? "ask the rollup's sequencer, or start the follower with its URL (--sequencer-rpc) to forward raw transactions and txpool_* there"
        : `send transactions to the sequencer at ${sequencerRpc}`,
    );
  }
}

/** A URL a follower forwards to, and why it was passed over (it did not answer, is a follower, serves another chain). */
export interface ForwardFailure {
  readonly url: string;
  readonly reason: string;
}

/**
 * No URL the follower forwards to answered as the sequencer. After a take-over (the sequencer
 * stopped and the rollup's rule let another key advance) the node sequencing is not the one
 * configured: L1 names the account that advances (BlockAdvanced's submitter), never a URL, so the
 * operator adds the new sequencer's URL (docs/design/follower.md, "Forwarding after a take-over").
 */
export class FollowerForwardError extends FollowerError {
  constructor(method: string, passed: readonly ForwardFailure[]) {
    const each = passed.map((p) => `${publicSequencerUrl(p.url)} ${p.reason}`).join("; ");
    super(
      "FOLLOWER_FORWARD_FAILED",
      passed.length === 1
        ? `this node is a follower and forwards ${method} to the sequencer at ${publicSequencerUrl(passed[0]?.url ?? "")}, which ${passed[0]?.reason}`
        : `this node is a follower and forwards ${method} to the node sequencing, and none of its ${passed.length} sequencer URLs is: ${each}`,
      "if the sequencer stopped and another node took over sequencing (npx hardhat rollup:blocks shows who advances now), send to that node, or add its URL to the follower's --sequencer-rpc (URL,URL,…: tried in order) and restart it; else check --sequencer-rpc",
    );
  }
}

/** A follower does not produce blocks. */
export class FollowerNoProductionError extends FollowerError {
  constructor() {
    super(
      "FOLLOWER_NO_PRODUCTION",
      "this node is a follower: it does not produce blocks",
      "blocks come from L1; use the sequencer's evm_mine",
    );
  }
}

/** The follower was used after `close()`. */
export class FollowerClosedError extends FollowerError {
  constructor() {
    super("FOLLOWER_CLOSED", "the follower is closed", "open a new Follower on the data directory");
  }
}
