// Does the L1's EXECUTE apply the write rules this node records witnesses under? The genesis
// block hash does not commit to a chain's `writeRules`, so nothing on L1 would notice a node
// given another schedule than EXECUTE: its blocks would be WitnessIncomplete on L1 (a halt in
// re-execution, valid proposals challenged away in optimistic mode). The node asks at start and
// refuses to run on a mismatch; while it runs, `WriteRulesWatch` asks again when it has reason to
// think the L1 changed, and on a mismatch the submitter sends nothing (docs/design/write-rule-agreement.md).
import type { Provider } from "ethers";

import {
  DEFAULT_VERIFIER_WRITES,
  type WriteRules,
  WriteRulesError,
  describeWriteRules,
  sameWriteRules,
  writeRulesFromJson,
} from "../../precompiles";
import type { Logger } from "../logger";
import { BridgeError } from "./errors";
import { SubmitterWaitError } from "./submissionErrors";

/**
 * The L1 devnet's dev method that reports the write rules its EXECUTE applies to a chain: params
 * `[chainId]` (a quantity), result the rules as `writeRulesToJson` writes them.
 */
export const EXECUTE_WRITE_RULES_METHOD = "devnet_executeWriteRules";

/** The write rules the L1's EXECUTE applies to a chain, and how the node knows them. */
export type L1WriteRules =
  /** The L1 answered `EXECUTE_WRITE_RULES_METHOD`: a framework devnet, whose EXECUTE was configured per chain. */
  | { readonly source: "reported"; readonly rules: WriteRules }
  /**
   * The L1 does not serve the method: its EXECUTE is taken as protocol code, which has no
   * per-chain configuration and applies the default rule (`DEFAULT_VERIFIER_WRITES`) to every chain.
   */
  | { readonly source: "protocol"; readonly rules: WriteRules; readonly why: string };

/** The L1's EXECUTE applies other write rules to the chain than the node's genesis declares. */
export class WriteRulesMismatchError extends BridgeError {
  constructor(
    readonly chainId: bigint,
    readonly node: WriteRules,
    readonly l1: L1WriteRules,
  ) {
    const l1Words =
      l1.source === "reported"
        ? `the L1's EXECUTE applies ${describeWriteRules(l1.rules)} (its ${EXECUTE_WRITE_RULES_METHOD})`
        : `the L1's EXECUTE is protocol code applying ${describeWriteRules(l1.rules)} to every chain (${l1.why})`;
    super(
      "WRITE_RULES_MISMATCH",
      `chain ${chainId}: the node's genesis declares write rules ${describeWriteRules(node)}, ${l1Words}: every block recorded under one and verified under the other may be WitnessIncomplete on L1`,
      l1.source === "reported"
        ? `start the node and the L1 from the same genesis file's config.writeRules (node: ${describeWriteRules(node)}; L1: ${describeWriteRules(l1.rules)}), e.g. restart the L1 devnet with this genesis`
        : `on an L1 whose EXECUTE has no per-chain rules, declare none (or "${DEFAULT_VERIFIER_WRITES}") in the genesis's config.writeRules (node: ${describeWriteRules(node)}; L1: ${describeWriteRules(l1.rules)})`,
    );
  }
}

/** Geth's "the method X does not exist/is not available", EDR's "Method X is not supported", "method X not found". */
const METHOD_NOT_FOUND_MESSAGE = /\bmethod\b.*\b(?:not found|does not exist|not supported|not available)\b/i;

/** A JSON-RPC error that says the method is not served (by its code or, through ethers, its message). */
function isMethodNotFound(error: unknown): boolean {
  const seen = new Set<unknown>();
  const walk = (value: unknown): boolean => {
    if (typeof value !== "object" || value === null || seen.has(value)) return false;
    seen.add(value);
    const e = value as { code?: unknown; message?: unknown; error?: unknown; info?: unknown };
    // -32601: method not found (JSON-RPC); -32004: method not supported (EIP-1474, Hardhat's EDR).
    if (e.code === -32601 || e.code === -32004 || e.code === "UNSUPPORTED_OPERATION") return true;
    // A message counts only when it is about the method: "not available" or "not supported" alone
    // is also what a proxy says of a transient failure, and reading that as protocol EXECUTE would
    // make a node with a schedule of its own wait on a mismatch that is not there.
    if (typeof e.message === "string" && METHOD_NOT_FOUND_MESSAGE.test(e.message)) return true;
    return walk(e.error) || walk(e.info);
  };
  return walk(error);
}

/** Reads what the L1 behind `provider` says its EXECUTE applies to chain `chainId`. */
export async function readL1WriteRules(provider: Provider, chainId: bigint): Promise<L1WriteRules> {
  const send = (provider as Provider & { send?: (method: string, params: unknown[]) => Promise<unknown> }).send;
  if (typeof send !== "function")
    return {
      source: "protocol",
      rules: DEFAULT_VERIFIER_WRITES,
      why: "the L1 provider sends no raw JSON-RPC to ask",
    };
  let answer: unknown;
  try {
    answer = await send.call(provider, EXECUTE_WRITE_RULES_METHOD, [`0x${chainId.toString(16)}`]);
  } catch (error) {
    if (!isMethodNotFound(error)) throw error;
    return {
      source: "protocol",
      rules: DEFAULT_VERIFIER_WRITES,
      why: `the L1 does not serve ${EXECUTE_WRITE_RULES_METHOD}`,
    };
  }
  try {
    return { source: "reported", rules: writeRulesFromJson(answer) };
  } catch (error) {
    if (!(error instanceof WriteRulesError)) throw error;
    throw new BridgeError(
      "WRITE_RULES_UNREADABLE",
      `the L1's ${EXECUTE_WRITE_RULES_METHOD} answered ${JSON.stringify(answer)}: ${error.message}`,
      "the L1 is not a devnet of this framework's version: start the node against one that is, or an L1 without the method",
    );
  }
}

/**
 * Refuses (`WriteRulesMismatchError`) unless the L1's EXECUTE applies `nodeRules` (the node's
 * genesis's `writeRules`, the default when absent) to chain `chainId`; returns what the L1 said.
 */
export async function checkL1WriteRules(
  provider: Provider,
  chainId: bigint,
  nodeRules: WriteRules = DEFAULT_VERIFIER_WRITES,
): Promise<L1WriteRules> {
  const l1 = await readL1WriteRules(provider, chainId);
  if (!sameWriteRules(nodeRules, l1.rules)) throw new WriteRulesMismatchError(chainId, nodeRules, l1);
  return l1;
}

/**
 * How often a running node asks the L1's EXECUTE for its write rules when nothing else gave it a
 * reason to (one JSON-RPC request, not per block): the backstop behind the triggers that cost
 * nothing (the L1 answering again after failing, an L1 reorg, a block refused as WitnessIncomplete).
 */
export const DEFAULT_WRITE_RULES_RECHECK_MS = 60_000;

/** A mismatch a running node found, and since when (Unix seconds, the node's clock). */
export interface WriteRulesMismatchFound {
  readonly error: WriteRulesMismatchError;
  readonly since: bigint;
}

export interface WriteRulesWatchConfig {
  readonly provider: Provider;
  readonly chainId: bigint;
  /** The node's genesis's `writeRules` (DEFAULT_VERIFIER_WRITES when absent). */
  readonly nodeRules?: WriteRules;
  /** Milliseconds between checks nothing asked for (DEFAULT_WRITE_RULES_RECHECK_MS). */
  readonly recheckMs?: number;
  readonly logger: Logger;
  /** Milliseconds since the epoch (`Date.now` unless a test fixes the clock). */
  readonly now?: () => number;
}

/**
 * The node's running view of whether the L1's EXECUTE applies its write rules. `check` asks the L1
 * (one request; callers that ask meanwhile share it); its answer stands until the next check, so
 * readers (`mismatch`: the submitter before each round, rollup_status) read memory, not L1. A check
 * the L1 does not answer leaves the last finding as it was: an unreachable L1 is L1 health's to
 * report, and guessing either way on a transient error would be wrong half the time.
 */
export class WriteRulesWatch {
  private found: WriteRulesMismatchFound | undefined;
  private checking: Promise<WriteRulesMismatchFound | undefined> | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Checks made (each one L1 request), for the tests' and the operator's count. */
  checks = 0;

  constructor(private readonly config: WriteRulesWatchConfig) {}

  /** The mismatch the last answered check found; undefined when the rules agreed (or before any check). */
  get mismatch(): WriteRulesMismatchFound | undefined {
    return this.found;
  }

  /**
   * Asks the L1 now (`why` goes in the log when the finding changes) and returns the finding. A
   * read that fails is logged and leaves the finding as it was.
   */
  check(why: string): Promise<WriteRulesMismatchFound | undefined> {
    this.checking ??= this.checkOnce(why).finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  /**
   * The start-up check: refuses (`WriteRulesMismatchError`) as `checkL1WriteRules` does, and an L1
   * that does not answer fails the start (a node that cannot reach its L1 does not start anyway).
   */
  async checkAtStart(): Promise<L1WriteRules> {
    this.checks++;
    return checkL1WriteRules(this.config.provider, this.config.chainId, this.config.nodeRules);
  }

  /** Checks every `recheckMs` until stopped (the timer does not keep the process alive). */
  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(
      () => void this.check("the periodic check"),
      this.config.recheckMs ?? DEFAULT_WRITE_RULES_RECHECK_MS,
    );
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async checkOnce(why: string): Promise<WriteRulesMismatchFound | undefined> {
    const { chainId, logger } = this.config;
    const nodeRules = this.config.nodeRules ?? DEFAULT_VERIFIER_WRITES;
    this.checks++;
    let l1: L1WriteRules;
    try {
      l1 = await readL1WriteRules(this.config.provider, chainId);
    } catch (error) {
      logger.debug(`asking the L1 for its EXECUTE's write rules (${why}) failed: ${(error as Error).message}`);
      return this.found;
    }
    if (sameWriteRules(nodeRules, l1.rules)) {
      if (this.found !== undefined)
        logger.info(
          `the L1's EXECUTE applies this node's write rules again (${describeWriteRules(nodeRules)}; found on ${why})`,
        );
      this.found = undefined;
      return undefined;
    }
    const error = new WriteRulesMismatchError(chainId, nodeRules, l1);
    // Said once per change of the L1's rules, not on every check that finds them still different.
    if (this.found === undefined || !sameWriteRules(this.found.error.l1.rules, l1.rules)) {
      logger.error(`WRITE RULES MISMATCH (found on ${why}): ${error.message}`);
      logger.error(`hint: ${error.hint}`);
    }
    this.found = {
      error,
      since: this.found?.since ?? BigInt(Math.floor((this.config.now ?? Date.now)() / 1000)),
    };
    return this.found;
  }
}

/**
 * The submitter's wait while the L1's EXECUTE applies other write rules than the node's (code
 * WRITE_RULES_MISMATCH): every block it sent could be WitnessIncomplete there. Not a halt: the
 * node's blocks stay valid under its own rules, so an L1 given them back (restarted with the
 * chain's genesis) takes them, and the submitter resumes once a check finds the rules agree.
 */
export class WriteRulesMismatchWaitError extends SubmitterWaitError {
  constructor(readonly mismatch: WriteRulesMismatchError) {
    super(
      mismatch.code,
      `${mismatch.message}; nothing is sent to L1 until they agree`,
      `${mismatch.hint}; the submitter resumes by itself once the L1 applies the node's rules`,
    );
  }
}
