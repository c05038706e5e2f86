import { type ChildProcess, fork } from "node:child_process";
import path from "node:path";

import { hexlify } from "ethers";

import type { VerifyBlockParams } from "../../precompiles";
import { typescriptLoader } from "../cli";
import { NodeError } from "../errors";
import { DEFAULT_ATTESTER_WAIT_MS } from "./defaults";
import type { Attestation } from "./committee";
import {
  type AttestRequest,
  type AttestResponse,
  type AttesterInfo,
  type AttesterInit,
  type ForkConfig,
  writeRulesDisagreement,
} from "./attesterProtocol";

/** One attester to start: its private key and its position in the committee. */
export interface AttesterSpec {
  readonly privateKey: Uint8Array;
  readonly memberIndex: number;
}

/**
 * One attester running elsewhere (`rollup:attester`, `native-rollup-attester`): its URL and,
 * optionally, the public key it must hold. Pinning the key means a swapped or impersonated
 * attester is refused at start instead of yielding proofs the rollup's policy does not accept.
 */
export interface AttesterEndpoint {
  readonly url: string;
  readonly publicKey?: readonly [bigint, bigint];
}

/** What the attesters said about one block. */
export interface AttestationRound {
  readonly attestations: readonly Attestation[];
  /** The commitment they signed (all honest attesters compute the same). */
  readonly commitment: bigint | undefined;
  /** Attesters that refused, with their reason (an invalid block, a missing witness node…). */
  readonly refusals: readonly string[];
}

/** How the pool judges the answers of a round (`AttesterPool.attest`). */
export interface RoundRules {
  /**
   * Whether `attestation` is `publicKey`'s valid signature of `commitment`; an answer that fails
   * is a refusal (one bad member must not fail the aggregation of the good ones).
   */
  readonly verify?: (publicKey: readonly [bigint, bigint], commitment: bigint, attestation: Attestation) => boolean;
  /**
   * Signatures on one commitment that make a proof: once a commitment has this many verified
   * signatures and a majority of the members (no answer still out could outvote it), the round
   * ends without waiting for slow or hung members.
   */
  readonly enough?: number;
}

/** Reads a signed answer's numbers; undefined when one does not parse (a faulty or lying attester). */
function signedOf(
  r: Extract<AttestResponse, { S: string }>,
): { readonly commitment: bigint; readonly attestation: Attestation } | undefined {
  try {
    const commitment = BigInt(r.commitment);
    const attestation = { memberIndex: r.memberIndex, R8: [BigInt(r.R8[0]), BigInt(r.R8[1])] as const, S: BigInt(r.S) };
    return { commitment, attestation };
  } catch {
    return undefined;
  }
}

/** An attester cannot be started or reached, or is not the one configured. */
export class AttesterError extends NodeError {}

/** One committee member, wherever it runs: the pool asks each the same way. */
interface Attester {
  readonly memberIndex: number;
  readonly publicKey: readonly [bigint, bigint];
  attest(request: AttestRequest): Promise<AttestResponse>;
  close(): Promise<void>;
}

const START_TIMEOUT_MS = 60_000;
/** Largest answer read from a remote attester: a signature answer is < 1 KB; a longer one is a fault. */
export const MAX_ATTESTER_ANSWER_BYTES = 64 * 1024;

/**
 * Reads a JSON answer of at most MAX_ATTESTER_ANSWER_BYTES, then stops reading: a member that
 * streams an endless answer must cost the node neither memory nor the event loop's time.
 */
async function boundedJson(response: Response): Promise<unknown> {
  const reader = response.body?.getReader();
  if (reader === undefined) return JSON.parse("");
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > MAX_ATTESTER_ANSWER_BYTES) {
      await reader.cancel().catch(() => undefined);
      throw new Error(`answer above ${MAX_ATTESTER_ANSWER_BYTES} bytes`);
    }
    chunks.push(value);
  }
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

/** How long a remote attester may take to re-execute and sign one block. */
export const DEFAULT_REMOTE_ATTEST_TIMEOUT_MS = 60_000;
const ENTRY = path.join(__dirname, `attesterProcess${path.extname(__filename)}`);
// From the TypeScript sources the child needs a TypeScript loader; compiled JavaScript runs as is.
const FROM_SOURCES = path.extname(__filename) === ".ts";

/** An attester in a child process of this node, asked over IPC. */
class LocalAttester implements Attester {
  constructor(
    readonly memberIndex: number,
    readonly publicKey: readonly [bigint, bigint],
    private readonly child: ChildProcess,
  ) {}

  static start(spec: AttesterSpec, forkConfig: ForkConfig): Promise<LocalAttester> {
    // No argument carries the key: it goes over IPC (AttesterInit), out of sight of `ps`.
    const child = fork(ENTRY, [], {
      execArgv: FROM_SOURCES ? ["-r", typescriptLoader()] : [],
      stdio: ["ignore", "ignore", "inherit", "ipc"],
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        // A child left starting would keep this process alive after the failure.
        child.removeAllListeners("exit");
        child.kill();
        reject(
          new AttesterError(
            "ATTESTER_START_TIMEOUT",
            `attester ${spec.memberIndex} did not start within ${START_TIMEOUT_MS} ms`,
            "the machine may be overloaded",
          ),
        );
      }, START_TIMEOUT_MS);
      child.once("exit", (code) =>
        reject(
          new AttesterError(
            "ATTESTER_EXITED",
            `attester ${spec.memberIndex} exited with code ${code} before it was ready`,
            "see its error on stderr",
          ),
        ),
      );
      child.once("message", (message: AttestResponse) => {
        clearTimeout(timer);
        child.removeAllListeners("exit");
        if (message.ok && "ready" in message) {
          resolve(
            new LocalAttester(spec.memberIndex, [BigInt(message.publicKey[0]), BigInt(message.publicKey[1])], child),
          );
        } else
          reject(
            new AttesterError(
              "ATTESTER_PROTOCOL",
              `attester ${spec.memberIndex} sent an unexpected first message`,
              "the attester and the node are from different versions",
            ),
          );
      });
      const init: AttesterInit = {
        init: true,
        privateKey: hexlify(spec.privateKey),
        memberIndex: spec.memberIndex,
        fork: forkConfig,
      };
      child.send(init);
    });
  }

  attest(request: AttestRequest): Promise<AttestResponse> {
    const { child } = this;
    return new Promise((resolve) => {
      const onMessage = (message: AttestResponse) => {
        if (message.id !== request.id) return;
        child.off("message", onMessage);
        child.off("exit", onExit);
        resolve(message);
      };
      const onExit = () =>
        resolve({ id: request.id, ok: false, code: undefined, reason: `attester ${this.memberIndex} exited` });
      child.on("message", onMessage);
      child.once("exit", onExit);
      child.send(request);
    });
  }

  close(): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.child.exitCode !== null || !this.child.connected) return resolve();
      this.child.once("exit", () => resolve());
      this.child.disconnect();
    });
  }
}

/** How a node reaches its external attesters at start (AttesterPool.connect). */
export interface ConnectOptions {
  /** How long one request may take (DEFAULT_REMOTE_ATTEST_TIMEOUT_MS). */
  readonly timeoutMs: number;
  /** How long to wait for an attester that does not answer yet; 0 asks once (DEFAULT_ATTESTER_WAIT_MS). */
  readonly waitMs: number;
  /** Told once per attester that does not answer yet, with what is waited for and how long. */
  readonly onWait?: (message: string) => void;
}

/** Between two tries of an attester that does not answer yet. */
const CONNECT_RETRY_MS = 500;

function unreachable(
  endpoint: Pick<AttesterEndpoint, "url">,
  memberIndex: number,
  reason: string,
  waitedMs: number | undefined,
): AttesterError {
  return new AttesterError(
    "ATTESTER_UNREACHABLE",
    `attester ${memberIndex} at ${endpoint.url} did not answer${waitedMs === undefined ? "" : ` within ${Math.round(waitedMs / 1000)} s`}: ${reason}`,
    "start it first (npx hardhat rollup:attester or native-rollup-attester) and check the URL; a node and rollup:verification-keys wait --attester-wait MS for attesters starting with them",
  );
}

/**
 * An attester's answer to `GET /` (who it is: its public key and fork rules). One that does not
 * answer yet (connection refused, no answer in time) is asked again until `options.waitMs` have
 * passed, so a node or `rollup:verification-keys` started with its attesters at once waits for
 * them; an answer is never retried: what it says is checked once.
 */
export async function attesterIntroduction(
  endpoint: Pick<AttesterEndpoint, "url">,
  memberIndex: number,
  options: ConnectOptions,
): Promise<AttesterInfo> {
  const deadline = Date.now() + options.waitMs;
  let told = false;
  for (;;) {
    let response: Response;
    try {
      response = await fetch(new URL("/", endpoint.url), { signal: AbortSignal.timeout(options.timeoutMs) });
    } catch (error) {
      const reason = (error as Error).message;
      if (Date.now() + CONNECT_RETRY_MS < deadline) {
        if (!told)
          options.onWait?.(
            `attester ${memberIndex} at ${endpoint.url} does not answer yet (${reason}): waiting up to ${Math.round(options.waitMs / 1000)} s for it`,
          );
        told = true;
        await new Promise((resolve) => setTimeout(resolve, CONNECT_RETRY_MS));
        continue;
      }
      throw unreachable(endpoint, memberIndex, reason, told ? options.waitMs : undefined);
    }
    try {
      return (await boundedJson(response)) as AttesterInfo;
    } catch (error) {
      throw unreachable(endpoint, memberIndex, (error as Error).message, undefined);
    }
  }
}

/** An attester served over HTTP by another process or machine (rollup-node/provers/attesterServer.ts). */
class RemoteAttester implements Attester {
  constructor(
    readonly memberIndex: number,
    readonly publicKey: readonly [bigint, bigint],
    private readonly url: string,
    private readonly timeoutMs: number,
  ) {}

  static async connect(
    endpoint: AttesterEndpoint,
    memberIndex: number,
    forkConfig: ForkConfig,
    options: ConnectOptions,
  ): Promise<RemoteAttester> {
    const info = await attesterIntroduction(endpoint, memberIndex, options);
    const publicKey: readonly [bigint, bigint] = [BigInt(info.publicKey[0]), BigInt(info.publicKey[1])];
    if (
      endpoint.publicKey !== undefined &&
      (endpoint.publicKey[0] !== publicKey[0] || endpoint.publicKey[1] !== publicKey[1])
    ) {
      throw new AttesterError(
        "ATTESTER_KEY_MISMATCH",
        `attester ${memberIndex} at ${endpoint.url} holds public key ${publicKey.join(",")}, not the configured ${endpoint.publicKey.join(",")}`,
        "point the URL at the committee member configured, or update its public key",
      );
    }
    if (info.fork.hardfork !== forkConfig.hardfork || info.fork.eips.join(",") !== forkConfig.eips.join(",")) {
      throw new AttesterError(
        "ATTESTER_FORK_MISMATCH",
        `attester ${memberIndex} at ${endpoint.url} re-executes under ${info.fork.hardfork} [${info.fork.eips.join(",")}], the L1 under ${forkConfig.hardfork} [${forkConfig.eips.join(",")}]`,
        `restart it with --hardfork ${forkConfig.hardfork}: its signatures would not match what the L1 verifies`,
      );
    }
    const disagreement = writeRulesDisagreement(info.fork, forkConfig);
    if (disagreement !== undefined) {
      throw new AttesterError(
        "ATTESTER_WRITE_RULES_MISMATCH",
        `attester ${memberIndex} at ${endpoint.url}: ${disagreement}`,
        "restart it with --genesis naming the chain's genesis file: it would refuse the blocks recorded under the chain's rules",
      );
    }
    return new RemoteAttester(memberIndex, publicKey, endpoint.url, options.timeoutMs);
  }

  async attest(request: AttestRequest): Promise<AttestResponse> {
    try {
      const response = await fetch(new URL("/attest", this.url), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(request),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      if (!response.ok) {
        await response.body?.cancel();
        return {
          id: request.id,
          ok: false,
          code: undefined,
          reason: `attester ${this.memberIndex} at ${this.url}: HTTP ${response.status}`,
        };
      }
      const body = (await boundedJson(response)) as AttestResponse;
      // The member index is the committee's business (the order of its configured URLs), not the attester's.
      if (body?.ok === true && "S" in body) return { ...body, id: request.id, memberIndex: this.memberIndex };
      return {
        id: request.id,
        ok: false,
        code: body?.ok === false && typeof body.code === "number" ? body.code : undefined,
        reason: `attester ${this.memberIndex} at ${this.url}: ${body?.ok === false ? String(body.reason) : "unexpected answer"}`,
      };
    } catch (error) {
      return {
        id: request.id,
        ok: false,
        code: undefined,
        reason: `attester ${this.memberIndex} at ${this.url}: ${(error as Error).message}`,
      };
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * A committee's attesters, each in its own process with its own key: children of this node
 * (`start`, the devnet's) or processes elsewhere reached over HTTP (`connect`). Every block goes
 * to all of them; each re-executes it independently and signs only if it verifies.
 */
export class AttesterPool {
  private nextId = 1;

  private constructor(private readonly attesters: readonly Attester[]) {}

  /** `forkConfig`: the L1's fork rules (`forkConfigOf(l1Common)`), under which every attester re-executes. */
  static async start(specs: readonly AttesterSpec[], forkConfig: ForkConfig): Promise<AttesterPool> {
    return AttesterPool.settle(specs.map((spec) => LocalAttester.start(spec, forkConfig)));
  }

  /** Attesters running elsewhere, member i at `endpoints[i]`; each must re-execute under `forkConfig`. */
  static async connect(
    endpoints: readonly AttesterEndpoint[],
    forkConfig: ForkConfig,
    options: Partial<ConnectOptions> = {},
  ): Promise<AttesterPool> {
    const resolved: ConnectOptions = {
      timeoutMs: options.timeoutMs ?? DEFAULT_REMOTE_ATTEST_TIMEOUT_MS,
      waitMs: options.waitMs ?? DEFAULT_ATTESTER_WAIT_MS,
      ...(options.onWait === undefined ? {} : { onWait: options.onWait }),
    };
    return AttesterPool.settle(
      endpoints.map((endpoint, i) => RemoteAttester.connect(endpoint, i, forkConfig, resolved)),
    );
  }

  private static async settle(starting: readonly Promise<Attester>[]): Promise<AttesterPool> {
    const started = await Promise.allSettled(starting);
    const attesters = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
    const failure = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failure !== undefined) {
      await Promise.all(attesters.map((a) => a.close()));
      throw failure.reason;
    }
    return new AttesterPool(attesters);
  }

  /** Public keys by member index, as the committee's Merkle tree lists them. */
  get publicKeys(): (readonly [bigint, bigint])[] {
    return [...this.attesters].sort((a, b) => a.memberIndex - b.memberIndex).map((a) => a.publicKey);
  }

  /**
   * Asks every member to attest `block`. Each answer is read defensively (an unreadable or, with
   * `rules.verify`, unverified signature is a refusal with a reason) and the round goes with the
   * commitment the most verified signatures agree on; it ends when every member answered, or
   * earlier once a commitment has `rules.enough` signatures and a majority of the members.
   */
  attest(block: VerifyBlockParams, rules: RoundRules = {}): Promise<AttestationRound> {
    const request: Omit<AttestRequest, "id"> = {
      chainId: block.chainId.toString(),
      parentHeader: hexlify(block.parentHeader),
      block: hexlify(block.block),
      witness: hexlify(block.witness),
    };
    const members = this.attesters.length;
    const majority = Math.floor(members / 2) + 1;
    const enough = Math.max(majority, rules.enough ?? members);
    // Grouped by the commitment signed: an attester elsewhere may be faulty or lie, so the
    // round goes with the commitment most members signed, never with whichever answered first.
    const byCommitment = new Map<bigint, Attestation[]>();
    const refusals: string[] = [];
    const outcome = (): AttestationRound => {
      let commitment: bigint | undefined;
      let attestations: Attestation[] = [];
      for (const [signed, group] of byCommitment) {
        if (group.length > attestations.length) [commitment, attestations] = [signed, [...group]];
      }
      return { attestations, commitment, refusals: [...refusals] };
    };
    return new Promise<AttestationRound>((resolve) => {
      let answered = 0;
      let done = false;
      const take = (attester: Attester, r: AttestResponse): void => {
        answered += 1;
        if (r.ok && "S" in r) {
          const signed = signedOf(r);
          if (signed === undefined)
            refusals.push(`attester ${attester.memberIndex}: an answer whose numbers do not parse`);
          else if (
            rules.verify !== undefined &&
            !rules.verify(attester.publicKey, signed.commitment, signed.attestation)
          )
            refusals.push(
              `attester ${attester.memberIndex}: a signature that does not verify under its key for the commitment it names`,
            );
          else {
            const group = byCommitment.get(signed.commitment) ?? [];
            group.push(signed.attestation);
            byCommitment.set(signed.commitment, group);
            if (!done && group.length >= enough) {
              done = true;
              resolve(outcome());
            }
          }
        } else if (!r.ok) refusals.push(r.reason);
        if (!done && answered === members) {
          done = true;
          resolve(outcome());
        }
      };
      for (const attester of this.attesters) {
        attester.attest({ ...request, id: this.nextId++ }).then(
          (r) => take(attester, r),
          (error: Error) =>
            take(attester, {
              id: 0,
              ok: false,
              code: undefined,
              reason: `attester ${attester.memberIndex}: ${error.message}`,
            }),
        );
      }
      if (members === 0) resolve(outcome());
    });
  }

  /** Stops the attester processes this pool started (remote ones keep running). */
  async close(): Promise<void> {
    await Promise.all(this.attesters.map((a) => a.close()));
  }
}
