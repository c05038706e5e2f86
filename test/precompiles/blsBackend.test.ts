/**
 * The project's BLS12-381 backend (precompiles/bls.ts) against EthereumJS's `NobleBLS`, the
 * backend it replaces: consensus code, so G1ADD (0x0b) and G2ADD (0x0d) must give the same output
 * bytes, the same failure and the same gas on every input. Each input runs through the precompile
 * of an Osaka EVM with each backend (the precompile's own length and padding checks included),
 * and, when its length is right, through each backend's addition directly (same bytes, or the same
 * thrown error). Seeded random inputs of every shape EIP-2537 distinguishes.
 */
import { type EVMBLSInterface, NobleBLS } from "@ethereumjs/evm";
import { bytesToHex, hexToBytes } from "@ethereumjs/util";
import { bls12_381 } from "@noble/curves/bls12-381.js";
import { expect } from "chai";

import { CurveCheckedAdditionBLS, SHARED_BLS } from "../../precompiles/bls";
import { Rng } from "../../tools/executeFuzz";
import { callPrecompile as run, osakaEvm } from "../support/blsPrecompileCall";

const { Fp, Fp2, Fr } = bls12_381.fields;
const G1 = bls12_381.G1.Point;
const G2 = bls12_381.G2.Point;
type Fp2Element = ReturnType<typeof Fp2.create>;
const P = Fp.ORDER;
const G1ADD = 0x0b;
const G2ADD = 0x0d;
const G1_GAS = 375n;
const G2_GAS = 600n;
const SEED = 0x2537;
const G1_CASES = 300;
const G2_CASES = 200;

/** A labelled point encoding: `outside` when it is on the curve but not in the prime-order subgroup. */
interface Encoded {
  readonly kind: string;
  readonly bytes: Uint8Array;
  readonly outside?: boolean;
}

function fpBytes(value: bigint): Uint8Array {
  return hexToBytes(`0x${value.toString(16).padStart(128, "0")}`);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((part) => [...part]));
}

function scalar(rng: Rng): bigint {
  return (BigInt(bytesToHex(rng.bytes(32))) % (Fr.ORDER - 1n)) + 1n;
}

function fpRandom(rng: Rng): bigint {
  return BigInt(bytesToHex(rng.bytes(48))) % P;
}

const g1Bytes = (x: bigint, y: bigint): Uint8Array => concat(fpBytes(x), fpBytes(y));
const g2Bytes = (x: Fp2Element, y: Fp2Element): Uint8Array =>
  concat(fpBytes(x.c0), fpBytes(x.c1), fpBytes(y.c0), fpBytes(y.c1));

/** A point on G1's curve outside the subgroup: a random x whose x³ + 4 is a square (h ≈ 2^126: never in it by chance). */
function g1Outside(rng: Rng): { x: bigint; y: bigint } {
  for (;;) {
    const x = fpRandom(rng);
    const right = Fp.add(Fp.mul(Fp.sqr(x), x), G1.CURVE().b);
    if (Fp.eql(Fp.pow(right, (P - 1n) / 2n), Fp.ONE)) {
      const y = Fp.sqrt(right);
      return { x, y: rng.int(2) === 0 ? y : Fp.neg(y) };
    }
  }
}

function g2Outside(rng: Rng): { x: Fp2Element; y: Fp2Element } {
  for (;;) {
    const x = Fp2.create({ c0: fpRandom(rng), c1: fpRandom(rng) });
    const right = Fp2.add(Fp2.mul(Fp2.sqr(x), x), G2.CURVE().b);
    try {
      const y = Fp2.sqrt(right);
      if (!Fp2.eql(Fp2.sqr(y), right)) continue;
      return { x, y: rng.int(2) === 0 ? y : Fp2.neg(y) };
    } catch {
      // not a square: another x
    }
  }
}

/** `bytes` with one random non-zero byte in the 16-byte zero padding of field element `element`. */
function dirtyPadding(rng: Rng, bytes: Uint8Array, element: number): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[element * 64 + rng.int(16)] = 1 + rng.int(255);
  return out;
}

/** `bytes` with field element `element` (on the curve mod p) lifted by k·p: same residue, not a field element. */
function liftedByP(bytes: Uint8Array, element: number, k: bigint): Uint8Array {
  const out = Uint8Array.from(bytes);
  const value = BigInt(bytesToHex(out.subarray(element * 64, element * 64 + 64)));
  out.set(fpBytes(value + k * P), element * 64);
  return out;
}

function g1Point(rng: Rng): Encoded {
  const kind = rng.int(11);
  const valid = G1.BASE.multiply(scalar(rng)).toAffine();
  switch (kind) {
    case 0:
      return { kind: "infinity", bytes: new Uint8Array(128) };
    case 1: {
      const { x, y } = g1Outside(rng);
      return { kind: "outside the subgroup", bytes: g1Bytes(x, y), outside: true };
    }
    case 2:
      return { kind: "off the curve", bytes: g1Bytes(valid.x, Fp.add(valid.y, 1n)) };
    case 3:
      return {
        kind: "coordinate + k·p",
        bytes: liftedByP(g1Bytes(valid.x, valid.y), rng.int(2), BigInt(1 + rng.int(7))),
      };
    case 4:
      return { kind: "coordinate = p", bytes: rng.int(2) === 0 ? g1Bytes(P, valid.y) : g1Bytes(valid.x, P) };
    case 5:
      return { kind: "y = 0", bytes: g1Bytes(fpRandom(rng), 0n) };
    case 6:
      // (0, ±2): on the curve (0 + 4 = 2²), a point of order 3.
      return { kind: "x = 0", bytes: g1Bytes(0n, rng.int(2) === 0 ? 2n : P - 2n), outside: true };
    case 7:
      return { kind: "non-zero padding", bytes: dirtyPadding(rng, g1Bytes(valid.x, valid.y), rng.int(2)) };
    case 8:
      return {
        kind: "random bytes",
        bytes: concat(new Uint8Array(16), rng.bytes(48), new Uint8Array(16), rng.bytes(48)),
      };
    default:
      return { kind: "valid", bytes: g1Bytes(valid.x, valid.y) };
  }
}

function g2Point(rng: Rng): Encoded {
  const kind = rng.int(11);
  const valid = G2.BASE.multiply(scalar(rng)).toAffine();
  switch (kind) {
    case 0:
      return { kind: "infinity", bytes: new Uint8Array(256) };
    case 1: {
      const { x, y } = g2Outside(rng);
      return { kind: "outside the subgroup", bytes: g2Bytes(x, y), outside: true };
    }
    case 2:
      return { kind: "off the curve", bytes: g2Bytes(valid.x, Fp2.add(valid.y, Fp2.ONE)) };
    case 3:
      return {
        kind: "coordinate + k·p",
        bytes: liftedByP(g2Bytes(valid.x, valid.y), rng.int(4), BigInt(1 + rng.int(7))),
      };
    case 4: {
      const bytes = Uint8Array.from(g2Bytes(valid.x, valid.y));
      bytes.set(fpBytes(P), rng.int(4) * 64);
      return { kind: "coordinate = p", bytes };
    }
    case 5:
      return { kind: "y = 0", bytes: g2Bytes(Fp2.create({ c0: fpRandom(rng), c1: fpRandom(rng) }), Fp2.ZERO) };
    case 6:
      return { kind: "non-zero padding", bytes: dirtyPadding(rng, g2Bytes(valid.x, valid.y), rng.int(4)) };
    case 7:
      return {
        kind: "off the curve, then a coordinate ≥ p",
        bytes: liftedByP(g2Bytes(valid.x, Fp2.add(valid.y, Fp2.ONE)), 3, 1n),
      };
    case 8:
      return {
        kind: "random bytes",
        bytes: concat(...Array.from({ length: 4 }, () => concat(new Uint8Array(16), rng.bytes(48)))),
      };
    default:
      return { kind: "valid", bytes: g2Bytes(valid.x, valid.y) };
  }
}

/** An input of the precompile, and whether one of its points is on the curve outside the subgroup. */
type Input = { kind: string; data: Uint8Array; outside: boolean };
/** A point P of the special sums: its encoding, that of −P, and whether it is outside the subgroup. */
type Special = { bytes: Uint8Array; negated: Uint8Array; outside: boolean };

/** A backend's addition called directly: its bytes, or what it threw (class and message). */
function direct(add: () => Uint8Array): string {
  try {
    return bytesToHex(add());
  } catch (error) {
    return `${(error as Error).constructor.name}: ${(error as Error).message}`;
  }
}

describe("the BLS12-381 backend: G1ADD and G2ADD identical to EthereumJS's NobleBLS", function () {
  this.timeout(300_000);
  const noble = new NobleBLS();
  const ours = new CurveCheckedAdditionBLS();

  async function compare(
    address: number,
    price: bigint,
    pointBytes: number,
    inputs: readonly Input[],
  ): Promise<Map<string, number>> {
    const [nobleEvm, ourEvm] = [await osakaEvm(noble), await osakaEvm(ours)];
    const outcomes = new Map<string, number>();
    const add = address === G1ADD ? "addG1" : "addG2";
    for (const [i, { kind, data, outside }] of inputs.entries()) {
      // Mostly enough gas (the backend runs); one case in ten one gas short of the price.
      const gasLimit = i % 10 === 0 ? price - 1n : i % 2 === 0 ? price : 100_000n;
      const expected = await run(nobleEvm, address, data, gasLimit);
      const actual = await run(ourEvm, address, data, gasLimit);
      expect(actual, `case ${i} (${kind}, gas limit ${gasLimit}): ${bytesToHex(data)}`).to.deep.equal(expected);
      if (data.length === 2 * pointBytes) {
        expect(
          direct(() => ours[add](data)),
          `case ${i} (${kind}) called directly`,
        ).to.equal(direct(() => noble[add](data)));
      }
      const key = `${expected.error ?? "success"}${outside && expected.error === undefined ? " (outside the subgroup)" : ""}`;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    }
    return outcomes;
  }

  /** `cases` random pairs, P + P, P + (−P), P + ∞ and ∞ + P for each special P, ∞ + ∞, wrong lengths. */
  function inputsFor(
    rng: Rng,
    cases: number,
    randomPoint: (rng: Rng) => Encoded,
    specials: readonly Special[],
    pointBytes: number,
  ): Input[] {
    const inputs: Input[] = [];
    for (let i = 0; i < cases; i++) {
      const [a, b] = [randomPoint(rng), randomPoint(rng)];
      inputs.push({
        kind: `${a.kind} + ${b.kind}`,
        data: concat(a.bytes, b.bytes),
        outside: !!(a.outside || b.outside),
      });
    }
    const infinity = new Uint8Array(pointBytes);
    for (const { bytes, negated, outside } of specials) {
      inputs.push(
        { kind: "P + P", data: concat(bytes, bytes), outside },
        { kind: "P + (−P)", data: concat(bytes, negated), outside },
        { kind: "P + ∞", data: concat(bytes, infinity), outside },
        { kind: "∞ + P", data: concat(infinity, bytes), outside },
      );
    }
    inputs.push({ kind: "∞ + ∞", data: concat(infinity, infinity), outside: false });
    for (const n of [0, 1, pointBytes, 2 * pointBytes - 1, 2 * pointBytes + 1, 3 * pointBytes, 4 * pointBytes]) {
      inputs.push({ kind: `${n} bytes`, data: rng.bytes(n), outside: false });
    }
    return inputs;
  }

  /** Not vacuous: every way the precompile can end was met, and additions outside the subgroup succeeded. */
  function expectEveryOutcome(outcomes: Map<string, number>, errors: readonly string[]): void {
    for (const key of ["success", "success (outside the subgroup)", "invalid input length", "out of gas", ...errors]) {
      expect(outcomes.get(key), key).to.be.greaterThan(0);
    }
  }

  it("G1ADD (0x0b): same output, error and gas on random, edge and malformed inputs", async () => {
    const rng = new Rng(SEED);
    const specials = [G1.BASE.multiply(scalar(rng)).toAffine(), g1Outside(rng)].map((point) => ({
      bytes: g1Bytes(point.x, point.y),
      negated: g1Bytes(point.x, Fp.neg(point.y)),
      outside: !G1.fromAffine(point).isTorsionFree(),
    }));
    const outcomes = await compare(G1ADD, G1_GAS, 128, inputsFor(rng, G1_CASES, g1Point, specials, 128));
    console.log("      G1ADD outcomes:", Object.fromEntries(outcomes));
    expectEveryOutcome(outcomes, ["point not on curve", "revert"]);
  });

  it("G2ADD (0x0d): same output, error and gas on random, edge and malformed inputs", async () => {
    const rng = new Rng(SEED + 1);
    const specials = [G2.BASE.multiply(scalar(rng)).toAffine(), g2Outside(rng)].map((point) => ({
      bytes: g2Bytes(point.x, point.y),
      negated: g2Bytes(point.x, Fp2.neg(point.y)),
      outside: !G2.fromAffine(point).isTorsionFree(),
    }));
    const outcomes = await compare(G2ADD, G2_GAS, 256, inputsFor(rng, G2_CASES, g2Point, specials, 256));
    console.log("      G2ADD outcomes:", Object.fromEntries(outcomes));
    expectEveryOutcome(outcomes, ["point not on curve", "fp point not in field", "revert"]);
  });

  it("every other operation is NobleBLS's own (the same bytes on the generators' inputs)", () => {
    const g1 = G1.BASE.toAffine();
    const g2 = G2.BASE.toAffine();
    const g1b = g1Bytes(g1.x, g1.y);
    const g2b = g2Bytes(g2.x, g2.y);
    const k = fpBytes(scalar(new Rng(SEED + 2))).subarray(32);
    const inputs: [keyof EVMBLSInterface, Uint8Array][] = [
      ["msmG1", concat(g1b, k)],
      ["msmG2", concat(g2b, k)],
      ["pairingCheck", concat(g1b, g2b, g1Bytes(g1.x, Fp.neg(g1.y)), g2b)],
      ["mapFPtoG1", fpBytes(P - 2n)],
      ["mapFP2toG2", concat(fpBytes(P - 2n), fpBytes(P - 3n))],
    ];
    for (const [name, input] of inputs) {
      const call = (backend: EVMBLSInterface) => direct(() => (backend[name] as (i: Uint8Array) => Uint8Array)(input));
      expect(call(SHARED_BLS), name).to.equal(call(noble));
      expect(call(SHARED_BLS), `${name} succeeds`).to.match(/^0x/);
    }
  });
});
