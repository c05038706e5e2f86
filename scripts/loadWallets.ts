/**
 * The load of `load:l2`, run as its own process (forked by scripts/load-l2.ts) so that signing,
 * sending and block polling never take the node's thread: the node under test is the devnet, the
 * load is an external client, as real wallets are.
 *
 * Each sender behaves like a wallet: explicit nonces, fee caps from the current base fee
 * (maxFeePerGas = 2 × base fee + tip, the base fee re-read from every new L2 block), a refusal
 * for the fee re-reads the base fee and re-sends the same nonce, and a transaction left pending
 * with a fee cap the base fee has passed is replaced ("sped up") with a higher one; a nonce refused
 * behind a nonce gap, or sent without any answer (timeout, connection lost), is sent again until
 * acknowledged, as a wallet re-broadcasts. Every refusal is counted by its reason; only a nonce
 * that never made it into a block is a failure.
 */
import { JsonRpcProvider, Transaction, Wallet } from "ethers";

/** What load-l2.ts sends the client to start it. */
export interface LoadPlan {
  readonly url: string;
  readonly chainId: bigint;
  readonly privateKeys: readonly string[];
  readonly rate: number;
  readonly seconds: number;
  /** How long to wait after the last send for the last inclusions. */
  readonly graceMs: number;
}

/** What the client reports when it is done (JSON over the IPC channel: bigints as strings). */
export interface LoadResult {
  readonly planned: number;
  /** Nonces the node acknowledged (eth_sendRawTransaction returned a hash, possibly after a retry). */
  readonly acknowledged: number;
  readonly sendSeconds: number;
  readonly included: number;
  /** Nonces never acknowledged, or acknowledged and not in a block after the grace period. */
  readonly failed: number;
  /** First-send to inclusion of every included nonce, sorted ascending, ms. */
  readonly latenciesMs: number[];
  /** From the first send to the last inclusion. */
  readonly throughputSeconds: number;
  /** Refusals and RPC failures, by reason (a retried one counts here too). */
  readonly errorClasses: Record<string, number>;
  readonly feeRetries: number;
  readonly replacements: number;
  /** Nonces refused behind a gap (`account limit exceeded`) and sent again. */
  readonly gapResends: number;
  /**
   * Sends whose outcome the client never learnt (a timeout, a dropped connection: no JSON-RPC
   * answer) sent again, as a wallet re-broadcasts a transaction it never saw acknowledged.
   */
  readonly unansweredResends: number;
  readonly trackerErrors: number;
  readonly firstError: string | undefined;
  readonly baseFeeGweiFirst: number;
  readonly baseFeeGweiMax: number;
  readonly baseFeeGweiLast: number;
  readonly blocks: number;
  /** Each sender's first nonce not in a block at the end, and what became of it (stallDiagnosis). */
  readonly stalls: readonly SenderStall[];
}

/**
 * A sender's first nonce missing at the end of the run and where it went: `lost` (the node
 * acknowledged it, and knows none of its hashes now: it left the pool unmined), `pooled` (the
 * node still holds it), `unacknowledged` (never answered with a hash: refused, or in flight).
 */
export interface SenderStall {
  readonly sender: number;
  readonly nonce: number;
  readonly fate: "lost" | "pooled" | "unacknowledged";
  /** The node's nonces for the sender: `latest` (mined) and `pending` (with the pool's contiguous ones). */
  readonly latest: number;
  readonly pending: number;
  /** Slots of this sender not in a block, by fate. */
  readonly missing: Record<string, number>;
}

/** Messages from the client: `started` when the first transaction goes out, then `done`. */
export type LoadMessage = { kind: "started" } | { kind: "done"; result: LoadResult };

/** The tip every wallet offers; the fee cap follows the base fee. */
const TIP = 1_000_000_000n;
/** A replacement must raise both fees by at least 10 % (geth's rule, which the pool follows). */
const REPLACEMENT_BUMP_PERCENT = 125n;
/** A refusal for the fee is sent again at most this many times with a fresh base fee. */
const MAX_FEE_RETRIES = 5;
/** A pending transaction whose fee cap the base fee passed is replaced after this long. */
const STUCK_AFTER_MS = 2_000;
const TRACKER_POLL_MS = 20;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The fee cap a wallet sets from a base fee. */
export function feeCapFor(baseFee: bigint): bigint {
  return 2n * baseFee + TIP;
}

/** The short reason of an RPC refusal, for counting: the node's message without its details. */
export function errorClass(error: unknown): string {
  const e = error as { error?: { message?: string }; shortMessage?: string; message?: string; code?: string };
  const message = e.error?.message ?? e.shortMessage ?? e.message ?? String(error);
  if (e.code === "TIMEOUT" || /timeout/i.test(message)) return "timeout";
  return (message.split(/[:(]/)[0] ?? message).trim().slice(0, 80);
}

function isFeeRefusal(reason: string): boolean {
  return /fee|underpriced|base ?fee/i.test(reason);
}

interface Slot {
  readonly sender: number;
  readonly nonce: number;
  firstSentAt: number | undefined;
  maxFeePerGas: bigint;
  tip: bigint;
  hashes: string[];
  includedAt: number | undefined;
  lastSentAt: number;
  /**
   * Refused as behind a nonce gap (`account limit exceeded`), or sent without an answer (timeout,
   * connection lost): sent again later, while it has no acknowledgment.
   */
  resendDue: boolean;
  /** The last send got no answer at all (counted apart from gap refusals when sent again). */
  unanswered: boolean;
}

/** A refusal for a nonce gap: the pool holds the sender's limit of transactions behind it. */
function isGapRefusal(reason: string): boolean {
  return /account limit/i.test(reason);
}

/** Whether the node answered the call (a JSON-RPC error), rather than the transport failing. */
function nodeAnswered(error: unknown): boolean {
  return typeof (error as { error?: { code?: unknown } }).error?.code === "number";
}

/**
 * Gap refusals re-sent per sender per tracker round, lowest nonces first (the pool queues 64 behind
 * a gap): as a wallet re-sends its user's transactions in order, never its whole backlog at once.
 */
const GAP_RESENDS_PER_ROUND = 16;
/** A gap refusal is sent again at most this often. */
const GAP_RESEND_AFTER_MS = 500;

export async function runLoad(plan: LoadPlan, onStarted: () => void): Promise<LoadResult> {
  const p = new JsonRpcProvider(plan.url, undefined, { staticNetwork: true, pollingInterval: 25, cacheTimeout: -1 });
  try {
    const wallets = plan.privateKeys.map((k) => new Wallet(k));
    const nonces = await Promise.all(wallets.map((w) => p.getTransactionCount(w.address, "pending")));
    const errorClasses: Record<string, number> = {};
    let firstError: string | undefined;
    const count = (reason: string, detail: string): void => {
      errorClasses[reason] = (errorClasses[reason] ?? 0) + 1;
      firstError ??= detail;
    };
    const head = (await p.send("eth_getBlockByNumber", ["latest", false])) as { number: string; baseFeePerGas: string };
    let baseFee = BigInt(head.baseFeePerGas);
    const baseFeeFirst = baseFee;
    let baseFeeMax = baseFee;
    let blocks = 0;
    const byHash = new Map<string, Slot>();
    const slots: Slot[] = [];
    let feeRetries = 0;
    let replacements = 0;
    let gapResends = 0;
    let unansweredResends = 0;
    let trackerErrors = 0;

    const sign = (slot: Slot): Promise<string> =>
      (wallets[slot.sender] as Wallet).signTransaction({
        chainId: plan.chainId,
        nonce: slot.nonce,
        to: "0x000000000000000000000000000000000000beef",
        value: 1n,
        gasLimit: 21_000n,
        maxFeePerGas: slot.maxFeePerGas,
        maxPriorityFeePerGas: slot.tip,
        type: 2,
      });

    const refreshBaseFee = async (): Promise<void> => {
      const latest = (await p.send("eth_getBlockByNumber", ["latest", false])) as { baseFeePerGas: string };
      baseFee = BigInt(latest.baseFeePerGas);
    };

    /**
     * Sends `slot` at its current fees; a refusal for the fee re-reads the base fee and tries
     * again. A replacement's refusals are counted apart: the first one may have been included
     * meanwhile ("nonce too low"), which is no failure.
     */
    const send = async (slot: Slot, replacing = false): Promise<void> => {
      for (let attempt = 0; ; attempt++) {
        const raw = await sign(slot);
        // Known by its hash before any answer: a send whose answer is lost may still be mined.
        const sentHash = Transaction.from(raw).hash as string;
        byHash.set(sentHash, slot);
        const at = Date.now();
        slot.firstSentAt ??= at;
        slot.lastSentAt = at;
        try {
          const hash = (await p.send("eth_sendRawTransaction", [raw])) as string;
          slot.hashes.push(hash);
          byHash.set(hash, slot);
          return;
        } catch (error) {
          const reason = errorClass(error);
          count(
            replacing ? `replacement: ${reason}` : reason,
            `sender ${slot.sender} nonce ${slot.nonce}: ${(error as Error).message}`,
          );
          // Behind a gap (an earlier nonce late or lost): the tracker sends it again later. Without
          // this, one late request left every later nonce of the sender refused for good, and the
          // node, with nothing executable, built nothing (l2-throughput.md, stop 21).
          if (isGapRefusal(reason)) slot.resendDue = true;
          // No answer (a timeout, a connection lost under load): the node may have it or not; a
          // wallet broadcasts it again (an "already known" answer then acknowledges it). Without
          // this such a nonce was never sent again, a gap for good behind which the sender's
          // later nonces queued until refused (l2-throughput.md, round 29).
          if (!nodeAnswered(error)) {
            slot.resendDue = true;
            slot.unanswered = true;
            return;
          }
          if (/already known/i.test(reason)) {
            slot.hashes.push(sentHash);
            return;
          }
          if (!isFeeRefusal(reason) || attempt >= MAX_FEE_RETRIES) return;
          feeRetries++;
          await refreshBaseFee().catch(() => undefined);
          const cap = feeCapFor(baseFee);
          if (cap > slot.maxFeePerGas) slot.maxFeePerGas = cap;
          else slot.maxFeePerGas = (slot.maxFeePerGas * REPLACEMENT_BUMP_PERCENT) / 100n + 1n;
          slot.tip = (slot.tip * REPLACEMENT_BUMP_PERCENT) / 100n + 1n;
        }
      }
    };

    // Tracker: new blocks give inclusions and the base fee; stuck transactions are sped up.
    let tracking = true;
    let nextBlock = Number(head.number) + 1;
    const tracker = (async () => {
      while (tracking) {
        try {
          const number = Number(await p.send("eth_blockNumber", []));
          for (; nextBlock <= number; nextBlock++) {
            const block = (await p.send("eth_getBlockByNumber", [`0x${nextBlock.toString(16)}`, false])) as {
              transactions: string[];
              baseFeePerGas: string;
            };
            const now = Date.now();
            blocks++;
            baseFee = BigInt(block.baseFeePerGas);
            if (baseFee > baseFeeMax) baseFeeMax = baseFee;
            for (const hash of block.transactions) {
              const slot = byHash.get(hash);
              if (slot !== undefined && slot.includedAt === undefined) slot.includedAt = now;
            }
          }
          const now = Date.now();
          const resent = new Map<number, number>();
          for (const slot of slots) {
            if (!slot.resendDue || slot.hashes.length > 0 || slot.includedAt !== undefined) continue;
            if (now - slot.lastSentAt < GAP_RESEND_AFTER_MS) continue;
            const n = resent.get(slot.sender) ?? 0;
            if (n >= GAP_RESENDS_PER_ROUND) continue;
            resent.set(slot.sender, n + 1);
            slot.resendDue = false;
            if (slot.unanswered) unansweredResends++;
            else gapResends++;
            slot.unanswered = false;
            void send(slot);
          }
          for (const slot of slots) {
            if (slot.includedAt !== undefined || slot.hashes.length === 0) continue;
            // Against the next block's base fee, which may be up to 1/8 above the last one's: a cap
            // between the two is never included (the node builds nothing it cannot take) and was
            // never sped up either, a deadlock at idle CPU (l2-throughput.md, stop 21).
            const nextBaseFeeBound = baseFee + baseFee / 8n;
            if (slot.maxFeePerGas >= nextBaseFeeBound || now - slot.lastSentAt < STUCK_AFTER_MS) continue;
            replacements++;
            const bumped = (slot.maxFeePerGas * REPLACEMENT_BUMP_PERCENT) / 100n + 1n;
            const cap = feeCapFor(baseFee);
            slot.maxFeePerGas = cap > bumped ? cap : bumped;
            slot.tip = (slot.tip * REPLACEMENT_BUMP_PERCENT) / 100n + 1n;
            void send(slot, true);
          }
        } catch (error) {
          // The block is read again on the next round (nextBlock did not move past it).
          trackerErrors++;
          count(`tracker: ${errorClass(error)}`, (error as Error).message);
        }
        await sleep(TRACKER_POLL_MS);
      }
    })();

    const planned = Math.round(plan.rate * plan.seconds);
    const started = Date.now();
    onStarted();
    const inflight: Promise<void>[] = [];
    for (let i = 0; i < planned; i++) {
      const wait = started + (i * 1000) / plan.rate - Date.now();
      if (wait > 0) await sleep(wait);
      const sender = i % wallets.length;
      const nonce = nonces[sender] as number;
      nonces[sender] = nonce + 1;
      const slot: Slot = {
        sender,
        nonce,
        firstSentAt: undefined,
        maxFeePerGas: feeCapFor(baseFee),
        tip: TIP,
        hashes: [],
        includedAt: undefined,
        lastSentAt: 0,
        resendDue: false,
        unanswered: false,
      };
      slots.push(slot);
      inflight.push(send(slot));
    }
    await Promise.all(inflight);
    const sendingDone = Date.now();
    const deadline = sendingDone + plan.graceMs;
    const pending = (): boolean =>
      slots.some((s) => s.includedAt === undefined && (s.hashes.length > 0 || s.resendDue));
    while (pending() && Date.now() < deadline) await sleep(50);
    tracking = false;
    await tracker;
    const stalls = await stallDiagnosis(p, wallets, slots);

    const included = slots.filter((s) => s.includedAt !== undefined);
    const latenciesMs = included.map((s) => (s.includedAt as number) - (s.firstSentAt as number)).sort((a, b) => a - b);
    const lastIncluded = Math.max(started, ...included.map((s) => s.includedAt as number));
    const gwei = (wei: bigint): number => Number(wei) / 1e9;
    return {
      planned,
      acknowledged: slots.filter((s) => s.hashes.length > 0).length,
      sendSeconds: (sendingDone - started) / 1000,
      included: included.length,
      failed: slots.length - included.length,
      latenciesMs,
      throughputSeconds: (lastIncluded - started) / 1000,
      errorClasses,
      feeRetries,
      replacements,
      gapResends,
      unansweredResends,
      trackerErrors,
      firstError,
      baseFeeGweiFirst: gwei(baseFeeFirst),
      baseFeeGweiMax: gwei(baseFeeMax),
      baseFeeGweiLast: gwei(baseFee),
      blocks,
      stalls,
    };
  } finally {
    p.destroy();
  }
}

/**
 * What became of each sender's missing nonces, asked of the node itself: a nonce the node
 * acknowledged and no longer knows (not pooled, not mined) is one it lost; the first missing nonce
 * is the one the sender's later transactions wait behind.
 */
async function stallDiagnosis(
  p: JsonRpcProvider,
  wallets: readonly Wallet[],
  slots: readonly Slot[],
): Promise<SenderStall[]> {
  const stalls: SenderStall[] = [];
  for (const [sender, wallet] of wallets.entries()) {
    const missing = slots.filter((s) => s.sender === sender && s.includedAt === undefined);
    const first = missing[0];
    if (first === undefined) continue;
    const counts: Record<string, number> = {};
    let firstFate: SenderStall["fate"] | undefined;
    let firstNonce = first.nonce;
    for (const slot of missing) {
      let fate: SenderStall["fate"] | "mined" = "unacknowledged";
      if (slot.hashes.length > 0) {
        const known = (await Promise.all(slot.hashes.map((h) => p.send("eth_getTransactionByHash", [h])))) as ({
          blockNumber: string | null;
        } | null)[];
        fate = known.some((t) => t?.blockNumber != null) ? "mined" : known.some((t) => t !== null) ? "pooled" : "lost";
      }
      counts[fate] = (counts[fate] ?? 0) + 1;
      if (fate !== "mined" && firstFate === undefined) {
        firstFate = fate;
        firstNonce = slot.nonce;
      }
    }
    const [latest, pending] = await Promise.all([
      p.getTransactionCount(wallet.address, "latest"),
      p.getTransactionCount(wallet.address, "pending"),
    ]);
    if (firstFate === undefined) continue;
    stalls.push({ sender, nonce: firstNonce, fate: firstFate, latest, pending, missing: counts });
  }
  return stalls;
}

// Run as a forked child: wait for the plan, report `started`, then `done` with the result.
if (require.main === module && process.send !== undefined) {
  process.once("message", (message: { plan: LoadPlan & { chainId: string } }) => {
    const plan: LoadPlan = { ...message.plan, chainId: BigInt(message.plan.chainId) };
    runLoad(plan, () => process.send?.({ kind: "started" } satisfies LoadMessage)).then(
      (result) =>
        process.send?.({ kind: "done", result } satisfies LoadMessage, undefined, undefined, () => process.exit(0)),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
}
