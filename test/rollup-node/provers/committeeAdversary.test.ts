import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";

import { expect } from "chai";
import { getBytes } from "ethers";

import { decodeExecutionProofs } from "../../../precompiles/proofs/codec";
import { verifyBlockWithProofs } from "../../../precompiles/proofs/verifyProofs";
import { DEFAULT_HARDFORK } from "../../../rollup-node/chain/genesis";
import { silentLogger } from "../../../rollup-node/logger";
import { type AttesterServer, startAttesterServer } from "../../../rollup-node/provers/attesterServer";
import { AttesterKey, bundledCircuitArtifacts, loadBabyJub } from "../../../rollup-node/provers/committee";
import { CommitteeProver, ProofService } from "../../../rollup-node/provers/proofService";
import { TestSigner } from "../../../tools/l2Fixtures";
import { type BuiltBlock, L2TestChain } from "../../../tools/l2TestChain";
import { fixtureProveCommittee } from "../../support/proofFixtures";

const CHAIN_ID = 919n;
const FORK = { hardfork: DEFAULT_HARDFORK, eips: [] };

/** What the adversary answers to POST /attest. */
type Misbehaviour =
  | "honest"
  | "invalid signature"
  | "valid signature over another commitment"
  | "unparsable numbers"
  | "HTTP 500"
  | "never answers"
  | "endless answer";

/**
 * A committee member that misbehaves on demand: it holds a real key (so it is a member of the
 * committee, member 0, the first the circuit would take), computes the real answer with a real
 * attester server of its own key, and then corrupts it.
 */
async function startAdversary(privateKey: Uint8Array): Promise<{
  readonly url: string;
  mode: Misbehaviour;
  /** Bytes of the last endless answer written before the node stopped reading it. */
  readonly endlessBytes: number;
  /** Whether member 0 has begun an endless answer (its real answer computed, the first piece next). */
  readonly endlessStarted: boolean;
  close(): Promise<void>;
}> {
  const inner = await startAttesterServer({ privateKey, fork: FORK, port: 0, logger: silentLogger });
  const key = new AttesterKey(await loadBabyJub(), privateKey);
  const state = { mode: "honest" as Misbehaviour, endlessBytes: 0, endlessStarted: false };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", async () => {
      const forwarded = await fetch(new URL(request.url ?? "/", inner.url), {
        method: request.method,
        ...(request.method === "POST" ? { body: Buffer.concat(chunks) } : {}),
      });
      const real = (await forwarded.json()) as Record<string, unknown>;
      const send = (status: number, body: string) => {
        response.writeHead(status, { "content-type": "application/json" });
        response.end(body);
      };
      if (request.method !== "POST") return send(200, JSON.stringify(real));
      switch (state.mode) {
        case "honest":
          return send(200, JSON.stringify(real));
        case "invalid signature":
          return send(200, JSON.stringify({ ...real, S: (BigInt(real.S as string) + 1n).toString() }));
        case "valid signature over another commitment": {
          const other = BigInt(real.commitment as string) + 1n;
          const signed = key.sign(0, other);
          return send(
            200,
            JSON.stringify({
              ...real,
              commitment: other.toString(),
              R8: signed.R8.map(String),
              S: signed.S.toString(),
            }),
          );
        }
        case "unparsable numbers":
          return send(200, JSON.stringify({ ...real, commitment: "xyz", S: "not a number" }));
        case "HTTP 500":
          return send(500, JSON.stringify({ ...real }));
        case "never answers":
          return;
        case "endless answer": {
          // A JSON string that never ends, written as fast as the node reads it.
          response.writeHead(200, { "content-type": "application/json" });
          response.write('{"ok":true,"S":"');
          const piece = "9".repeat(64 * 1024);
          state.endlessBytes = 0;
          state.endlessStarted = true;
          const pump = (): void => {
            for (;;) {
              if (response.destroyed) return;
              state.endlessBytes += piece.length;
              if (!response.write(piece)) break;
            }
            response.once("drain", pump);
          };
          pump();
          return;
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get mode() {
      return state.mode;
    },
    set mode(mode: Misbehaviour) {
      state.mode = mode;
    },
    get endlessBytes() {
      return state.endlessBytes;
    },
    get endlessStarted() {
      return state.endlessStarted;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await inner.close();
    },
  };
}

/**
 * Attack review S4: a committee of 4 (the circuit aggregates 3 signatures) whose member 0 is
 * malicious. The node must drop that member's answer, whatever it is, and still build the proof
 * from the 3 honest members — a proof the real verifier accepts.
 */
describe("committee proofs with one malicious attester (k = 3 of n = 4)", function () {
  this.timeout(600_000);
  let honest: AttesterServer[] = [];
  let adversary: Awaited<ReturnType<typeof startAdversary>>;
  let service: ProofService;
  let built: BuiltBlock;

  before(async () => {
    const keyOf = (i: number) => new Uint8Array(32).fill(40 + i);
    adversary = await startAdversary(keyOf(0));
    honest = await Promise.all(
      [1, 2, 3].map((i) => startAttesterServer({ privateKey: keyOf(i), fork: FORK, port: 0, logger: silentLogger })),
    );
    const endpoints = [adversary.url, ...honest.map((h) => h.url)].map((url) => ({ url }));
    // The Groth16 proof of the honest three comes from the committed fixtures (the same statement in
    // every case): the subject is which answers the node keeps, and the store hands any set the
    // circuit would refuse (a forged signature kept) to the real prover (docs/design/fast-tests.md, round 27).
    service = new ProofService([
      await CommitteeProver.connect("mixed", endpoints, FORK, bundledCircuitArtifacts(), {}, fixtureProveCommittee),
    ]);
    const probe = await L2TestChain.create(CHAIN_ID, []);
    const alice = TestSigner.fromSeed(29, probe.common);
    const chain = await L2TestChain.create(CHAIN_ID, [{ address: alice.address.toString(), balance: 10n ** 18n }]);
    built = await chain.buildBlock([
      TestSigner.fromSeed(29, chain.common).tx({ to: "0x00000000000000000000000000000000000000aa", value: 1n }),
    ]);
  });

  after(async () => {
    await service?.close();
    await adversary?.close();
    await Promise.all(honest.map((h) => h.close()));
  });

  const params = () => ({
    chainId: CHAIN_ID,
    parentHeader: built.parentHeader,
    block: built.blockRlp,
    witness: built.witness,
  });

  const cases: readonly Misbehaviour[] = [
    "invalid signature",
    "valid signature over another commitment",
    "unparsable numbers",
    "HTTP 500",
    "never answers",
    "endless answer",
  ];
  for (const mode of cases) {
    it(`member 0 answers "${mode}": it is left out, and the 3 honest members' proof is built and accepted`, async () => {
      adversary.mode = mode;
      const started = Date.now();
      const { encoded, provenBy, failures } = await service.proofsFor(params());
      const ms = Date.now() - started;
      process.stderr.write(
        `      ${mode}: proven by [${provenBy.join(",")}] in ${ms} ms; failures ${failures.join("; ")}\n`,
      );
      expect(failures, "the committee's proof failed").to.deep.equal([]);
      expect(provenBy).to.deep.equal(["mixed"]);
      const bundle = {
        policy: { threshold: 1, allowReexecution: false, acceptedKeys: [getBytes(service.provers[0].keyHash)] },
        proofs: decodeExecutionProofs(encoded),
      };
      const proven = await verifyBlockWithProofs({ ...params(), bundle });
      expect(proven.acceptedBy.mode).to.equal("proofs");
      // A member that never answers does not hold the round once 3 of 4 agree (the timeout is 60 s).
      if (mode === "never answers" || mode === "endless answer") expect(ms).to.be.below(30_000);
      // An answer that never ends is not read past a bound: the node stops reading, the adversary
      // stops writing (before, the node read it until its 60 s timeout, gigabytes on loopback).
      if (mode === "endless answer") {
        // The proof can be ready before member 0 has computed the answer it corrupts (its real
        // attester re-executes the block first): the window starts once the answer has begun and
        // the node has had 2 s to stop reading it.
        for (let waited = 0; !adversary.endlessStarted && waited < 120_000; waited += 100)
          await new Promise((resolve) => setTimeout(resolve, 100));
        expect(adversary.endlessStarted, "member 0 began its endless answer").to.equal(true);
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        const before = adversary.endlessBytes;
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        process.stderr.write(
          `      endless answer: ${before} bytes written, ${adversary.endlessBytes} two seconds later\n`,
        );
        expect(adversary.endlessBytes).to.be.below(16 * 1024 * 1024);
        expect(adversary.endlessBytes).to.equal(before);
      }
    });
  }
});
