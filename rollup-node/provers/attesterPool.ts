import { type ChildProcess, fork } from "node:child_process";
import path from "node:path";

import { hexlify } from "ethers";

import type { VerifyBlockParams } from "../../precompiles";
import type { Attestation } from "./committee";
import type { AttestRequest, AttestResponse, ForkConfig } from "./attesterProtocol";

/** One attester to start: its private key and its position in the committee. */
export interface AttesterSpec {
  readonly privateKey: Uint8Array;
  readonly memberIndex: number;
}

/** What the attesters said about one block. */
export interface AttestationRound {
  readonly attestations: readonly Attestation[];
  /** The commitment they signed (all honest attesters compute the same). */
  readonly commitment: bigint | undefined;
  /** Attesters that refused, with their reason (an invalid block, a missing witness node…). */
  readonly refusals: readonly string[];
}

interface Attester {
  readonly memberIndex: number;
  readonly child: ChildProcess;
  readonly publicKey: readonly [bigint, bigint];
}

const START_TIMEOUT_MS = 60_000;
const ENTRY = path.join(__dirname, `attesterProcess${path.extname(__filename)}`);
// Under ts-node the child needs the same TypeScript loader; compiled JavaScript runs as is.
const EXEC_ARGV = path.extname(__filename) === ".ts" ? ["-r", "ts-node/register/transpile-only"] : [];

function startAttester(spec: AttesterSpec, forkConfig: ForkConfig): Promise<Attester> {
  const child = fork(ENTRY, [hexlify(spec.privateKey), String(spec.memberIndex), JSON.stringify(forkConfig)], { execArgv: EXEC_ARGV, stdio: ["ignore", "ignore", "inherit", "ipc"] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`attester ${spec.memberIndex} did not start within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    child.once("exit", (code) => reject(new Error(`attester ${spec.memberIndex} exited with code ${code} before it was ready`)));
    child.once("message", (message: AttestResponse) => {
      clearTimeout(timer);
      child.removeAllListeners("exit");
      if (message.ok && "ready" in message) {
        resolve({ memberIndex: spec.memberIndex, child, publicKey: [BigInt(message.publicKey[0]), BigInt(message.publicKey[1])] });
      } else reject(new Error(`attester ${spec.memberIndex} sent an unexpected first message`));
    });
  });
}

/**
 * A committee's attesters, each in its own process with its own key. Every block goes to all
 * of them; each re-executes it independently and signs only if it verifies.
 */
export class AttesterPool {
  private nextId = 1;

  private constructor(private readonly attesters: readonly Attester[]) {}

  /** `forkConfig`: the L1's fork rules (`forkConfigOf(l1Common)`), under which every attester re-executes. */
  static async start(specs: readonly AttesterSpec[], forkConfig: ForkConfig): Promise<AttesterPool> {
    const started = await Promise.allSettled(specs.map((spec) => startAttester(spec, forkConfig)));
    const attesters = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
    const failure = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failure !== undefined) {
      for (const a of attesters) a.child.disconnect();
      throw failure.reason;
    }
    return new AttesterPool(attesters);
  }

  /** Public keys by member index, as the committee's Merkle tree lists them. */
  get publicKeys(): (readonly [bigint, bigint])[] {
    return [...this.attesters].sort((a, b) => a.memberIndex - b.memberIndex).map((a) => a.publicKey);
  }

  attest(block: VerifyBlockParams): Promise<AttestationRound> {
    const request: Omit<AttestRequest, "id"> = {
      chainId: block.chainId.toString(),
      parentHeader: hexlify(block.parentHeader),
      block: hexlify(block.block),
      witness: hexlify(block.witness),
    };
    return Promise.all(this.attesters.map((a) => this.ask(a, { ...request, id: this.nextId++ }))).then((responses) => {
      const attestations: Attestation[] = [];
      const refusals: string[] = [];
      let commitment: bigint | undefined;
      for (const r of responses) {
        if (r.ok && "S" in r) {
          attestations.push({ memberIndex: r.memberIndex, R8: [BigInt(r.R8[0]), BigInt(r.R8[1])], S: BigInt(r.S) });
          commitment ??= BigInt(r.commitment);
        } else if (!r.ok) refusals.push(r.reason);
      }
      return { attestations, commitment, refusals };
    });
  }

  private ask(attester: Attester, request: AttestRequest): Promise<AttestResponse> {
    return new Promise((resolve) => {
      const onMessage = (message: AttestResponse) => {
        if (message.id !== request.id) return;
        attester.child.off("message", onMessage);
        attester.child.off("exit", onExit);
        resolve(message);
      };
      const onExit = () => resolve({ id: request.id, ok: false, code: undefined, reason: `attester ${attester.memberIndex} exited` });
      attester.child.on("message", onMessage);
      attester.child.once("exit", onExit);
      attester.child.send(request);
    });
  }

  /** Stops every attester process. */
  async close(): Promise<void> {
    await Promise.all(
      this.attesters.map(
        (a) =>
          new Promise<void>((resolve) => {
            if (a.child.exitCode !== null || !a.child.connected) return resolve();
            a.child.once("exit", () => resolve());
            a.child.disconnect();
          }),
      ),
    );
  }
}
