/**
 * Seventh pass (attack-review-s27.md): can any G1ADD or G2ADD input make the project's BLS12-381
 * backend (precompiles/bls.ts, consensus code of the L1 devnet and of EXECUTE) answer other than
 * EthereumJS's `NobleBLS`, the reference? test/precompiles/blsBackend.test.ts compares seeded random
 * inputs; here the edges an attacker would pick by hand: each coordinate at p − 1, p, 2^381 and
 * 2^384 − 1, the infinity encoding with one stray bit, a non-zero byte in each field element's
 * 16-byte padding, the point at infinity as either operand, points of small order outside the
 * subgroup (order 3 and 33 on G1's curve, 2713 on G2's: NobleBLS's subgroup check walks their
 * multiples through infinity), P + P and P + (−P), and every length around the right one. Then a
 * whole L2 block whose transactions log each call's success and output: EXECUTE must give the
 * same verdict with NobleBLS's additions swapped in, and refuse it with a backend that answers wrong
 * (so the block does commit to each answer).
 */
import { type EVMBLSInterface, NobleBLS } from "@ethereumjs/evm";
import { bytesToHex, hexToBytes } from "@ethereumjs/util";
import { bls12_381 } from "@noble/curves/bls12-381.js";
import { expect } from "chai";

import { CurveCheckedAdditionBLS, SHARED_BLS, createExecutePrecompile, decodeExecuteInvalid } from "../../precompiles";
import { blockExecuteCall, callExecute } from "../../tools/executeCall";
import { TestSigner } from "../../tools/l2Fixtures";
import { L2TestChain } from "../../tools/l2TestChain";
import { callPrecompile, osakaEvm } from "../support/blsPrecompileCall";

const { Fp, Fp2, Fr } = bls12_381.fields;
const G1 = bls12_381.G1.Point;
const G2 = bls12_381.G2.Point;
type G1Point = InstanceType<typeof G1>;
type G2Point = InstanceType<typeof G2>;
type Fp2Element = ReturnType<typeof Fp2.create>;
const P = Fp.ORDER;
const CHAIN_ID = 913n;
const TX_GAS = 60_000n;

const fpHex = (value: bigint): string => value.toString(16).padStart(128, "0");
const fp2Hex = (value: Fp2Element): string => fpHex(value.c0) + fpHex(value.c1);
const g1Hex = (x: bigint, y: bigint): string => fpHex(x) + fpHex(y);
const g2Hex = (x: Fp2Element, y: Fp2Element): string => fp2Hex(x) + fp2Hex(y);
const bytes = (hex: string): Uint8Array => hexToBytes(`0x${hex}`);

/** k·p by double-and-add with the points' own add and double: k may exceed the subgroup's order. */
function times<T extends { add(other: T): T; double(): T }>(point: T, k: bigint, zero: T): T {
  let sum = zero;
  let power = point;
  for (let rest = k; rest > 0n; rest >>= 1n) {
    if (rest & 1n) sum = sum.add(power);
    power = power.double();
  }
  return sum;
}

/** A point of order dividing `order` (and not infinity) on G1's curve: [#E/order] of a point found from x = 1 up. */
function g1OfOrder(order: bigint): G1Point {
  const groupOrder = G1.CURVE().h * Fr.ORDER;
  for (let x = 1n; ; x++) {
    const right = Fp.add(Fp.mul(Fp.sqr(x), x), G1.CURVE().b);
    if (!Fp.eql(Fp.pow(right, (P - 1n) / 2n), Fp.ONE)) continue;
    const point = times(G1.fromAffine({ x, y: Fp.sqrt(right) }), groupOrder / order, G1.ZERO);
    if (!point.is0()) return point;
  }
}

function g2OfOrder(order: bigint): G2Point {
  const groupOrder = G2.CURVE().h * Fr.ORDER;
  for (let c0 = 1n; ; c0++) {
    const x = Fp2.create({ c0, c1: 1n });
    const right = Fp2.add(Fp2.mul(Fp2.sqr(x), x), G2.CURVE().b);
    let y: Fp2Element;
    try {
      y = Fp2.sqrt(right);
    } catch {
      continue;
    }
    if (!Fp2.eql(Fp2.sqr(y), right)) continue;
    const point = times(G2.fromAffine({ x, y }), groupOrder / order, G2.ZERO);
    if (!point.is0()) return point;
  }
}

/** Gas for each call: more than either addition's price, so the backend always runs. */
const CALL_GAS = 100_000n;

/** The hand-picked G1ADD inputs (hex), labelled. */
function g1Inputs(): [string, string][] {
  const g = G1.BASE.toAffine();
  const gen = g1Hex(g.x, g.y);
  const inf = "0".repeat(256);
  const inputs: [string, string][] = [];
  for (const x of [P - 1n, P, 2n ** 381n, 2n ** 384n - 1n, 0n, 1n, g.x])
    for (const y of [P - 1n, P, 2n ** 381n, 0n, 1n, 2n, P - 2n, g.y]) {
      inputs.push([`(${x}, ${y}) + G`, g1Hex(x, y) + gen], [`G + (${x}, ${y})`, gen + g1Hex(x, y)]);
    }
  for (const bit of [0, 7])
    for (const at of [16, 63, 80, 127]) {
      const stray = bytes(inf);
      stray[at] = 1 << bit;
      inputs.push([`infinity, bit ${bit} of byte ${at} set`, bytesToHex(stray).slice(2) + gen]);
    }
  for (const at of [0, 15, 64, 79]) {
    const padded = bytes(gen);
    padded[at] = 0x80;
    inputs.push([`G, padding byte ${at} set`, bytesToHex(padded).slice(2) + inf]);
  }
  const small = [
    ["(0, 2), order 3", G1.fromAffine({ x: 0n, y: 2n })],
    ["order 33", g1OfOrder(33n)],
    ["G", G1.BASE],
  ] as const;
  for (const [a, pa] of small)
    for (const [b, pb] of small) {
      const [ea, eb] = [pa.toAffine(), pb.toAffine()];
      inputs.push(
        [`${a} + ${b}`, g1Hex(ea.x, ea.y) + g1Hex(eb.x, eb.y)],
        [`${a} + −(${b})`, g1Hex(ea.x, ea.y) + g1Hex(eb.x, Fp.neg(eb.y))],
      );
    }
  for (const [a, pa] of small) {
    const e = pa.toAffine();
    inputs.push([`${a} + ∞`, g1Hex(e.x, e.y) + inf], [`∞ + ${a}`, inf + g1Hex(e.x, e.y)]);
  }
  inputs.push(["∞ + ∞", inf + inf]);
  for (const n of [0, 127, 128, 129, 255, 257, 384, 512])
    inputs.push([`${n} bytes`, (gen + gen + gen + gen).slice(0, 2 * n)]);
  return inputs;
}

function g2Inputs(): [string, string][] {
  const g = G2.BASE.toAffine();
  const gen = g2Hex(g.x, g.y);
  const inf = "0".repeat(512);
  const inputs: [string, string][] = [];
  for (const value of [P - 1n, P, 2n ** 381n, 2n ** 384n - 1n, 0n, 1n])
    for (const element of [0, 1, 2, 3]) {
      const parts = [g.x.c0, g.x.c1, g.y.c0, g.y.c1];
      parts[element] = value;
      inputs.push([`G with element ${element} = ${value}`, parts.map(fpHex).join("") + gen]);
    }
  for (const at of [16, 127, 208, 255]) {
    const stray = bytes(inf);
    stray[at] = 1;
    inputs.push([`infinity, byte ${at} = 1`, bytesToHex(stray).slice(2) + gen]);
  }
  for (const at of [0, 79, 143, 192]) {
    const padded = bytes(gen);
    padded[at] = 0x01;
    inputs.push([`G, padding byte ${at} set`, gen + bytesToHex(padded).slice(2)]);
  }
  const small = [
    ["order 2713", g2OfOrder(2713n)],
    ["G", G2.BASE],
  ] as const;
  for (const [a, pa] of small)
    for (const [b, pb] of small) {
      const [ea, eb] = [pa.toAffine(), pb.toAffine()];
      inputs.push(
        [`${a} + ${b}`, g2Hex(ea.x, ea.y) + g2Hex(eb.x, eb.y)],
        [`${a} + −(${b})`, g2Hex(ea.x, ea.y) + g2Hex(eb.x, Fp2.neg(eb.y))],
      );
    }
  const e = small[0][1].toAffine();
  inputs.push(
    ["order 2713 + ∞", g2Hex(e.x, e.y) + inf],
    ["∞ + order 2713", inf + g2Hex(e.x, e.y)],
    ["∞ + ∞", inf + inf],
  );
  for (const n of [0, 255, 256, 257, 511, 513, 1024])
    inputs.push([`${n} bytes`, (gen + gen + gen + gen).slice(0, 2 * n)]);
  return inputs;
}

/** Runtime code: STATICCALL `address` with the calldata and all gas, then LOG1(returndata, topic = success). */
function loggingCallCode(address: number): string {
  const push = address.toString(16).padStart(2, "0");
  // CALLDATASIZE PUSH0 PUSH0 CALLDATACOPY; PUSH0 PUSH0 CALLDATASIZE PUSH0 PUSH1 address GAS STATICCALL;
  // RETURNDATASIZE PUSH0 PUSH0 RETURNDATACOPY; RETURNDATASIZE PUSH0 LOG1; STOP
  return `0x365f5f375f5f365f60${push}5afa3d5f5f3e3d5fa100`;
}

/** The backend's addition as NobleBLS's for the time of `body` (SHARED_BLS is what EXECUTE's EVMs run). */
async function withAdditions<T>(backend: EVMBLSInterface, body: () => Promise<T>): Promise<T> {
  const shared = SHARED_BLS as unknown as Record<string, unknown>;
  shared.addG1 = backend.addG1.bind(backend);
  shared.addG2 = backend.addG2.bind(backend);
  try {
    return await body();
  } finally {
    delete shared.addG1;
    delete shared.addG2;
  }
}

describe("attack: G1ADD/G2ADD inputs at the edges answered unlike NobleBLS (seventh pass)", function () {
  this.timeout(300_000);
  const noble = new NobleBLS();
  const ours = new CurveCheckedAdditionBLS();
  const cases: { address: number; inputs: [string, string][] }[] = [];

  before(() => {
    cases.push({ address: 0x0b, inputs: g1Inputs() }, { address: 0x0d, inputs: g2Inputs() });
  });

  it("each precompile: same output, error and gas as NobleBLS on every hand-picked input", async () => {
    const [nobleEvm, ourEvm] = [await osakaEvm(noble), await osakaEvm(ours)];
    const ends = new Set<string>();
    for (const { address, inputs } of cases)
      for (const [label, hex] of inputs) {
        const expected = await callPrecompile(nobleEvm, address, bytes(hex), CALL_GAS);
        expect(
          await callPrecompile(ourEvm, address, bytes(hex), CALL_GAS),
          `0x${address.toString(16)} ${label}`,
        ).to.deep.equal(expected);
        ends.add(`0x${address.toString(16)} ${expected.error ?? "success"}`);
      }
    // Not vacuous: the inputs reach every way each addition ends.
    for (const end of ["success", "point not on curve", "invalid input length", "revert"])
      for (const address of ["0xb", "0xd"]) expect([...ends], end).to.include(`${address} ${end}`);
    expect([...ends]).to.include("0xd fp point not in field");
  });

  it("an L2 block of those calls, each logging its success and output: EXECUTE's verdict is NobleBLS's", async () => {
    const probe = await L2TestChain.create(CHAIN_ID, []);
    const sender = TestSigner.fromSeed(0xb1, probe.common);
    const to = (address: number): string =>
      `0x00000000000000000000000000000000000b15${address.toString(16).padStart(2, "0")}`;
    const chain = await L2TestChain.create(CHAIN_ID, [
      { address: sender.address.toString(), balance: 10n ** 22n },
      ...cases.map(({ address }) => ({ address: to(address), code: loggingCallCode(address) })),
    ]);
    const signer = TestSigner.fromSeed(0xb1, chain.common);
    // Every fourth hand-picked input of each precompile (the whole set is the test above): the
    // outcomes of a block still span success, a refusal and a wrong length for both.
    const txs = cases.flatMap(({ address, inputs }) =>
      inputs
        .filter((_, i) => i % 4 === 0)
        .map(([, hex]) => signer.tx({ to: to(address), data: `0x${hex}`, gasLimit: TX_GAS })),
    );
    const built = await chain.buildBlock(txs);
    const precompile = createExecutePrecompile();
    const { data, gasLimit } = blockExecuteCall(built, CHAIN_ID, precompile);
    const verdict = async (): Promise<string> => {
      const result = await callExecute(precompile, data, { gasLimit });
      // EXECUTE reverts with ExecuteInvalid(code, reason) on a block it refuses.
      const invalid = decodeExecuteInvalid(result.returnValue);
      if (invalid !== undefined) return `invalid ${invalid.code}: ${invalid.reason}`;
      if (result.exceptionError !== undefined) return `error ${result.exceptionError.error}`;
      return `valid, ${result.executionGasUsed} gas, returned ${bytesToHex(result.returnValue)}`;
    };
    const ownVerdict = await verdict();
    expect(ownVerdict, "EXECUTE with the project's backend").to.match(/^valid/);
    expect(await withAdditions(noble, verdict), "EXECUTE with NobleBLS's additions").to.equal(ownVerdict);
    // The block commits to each answer: a backend that negates G1ADD's sums is refused.
    const wrong: EVMBLSInterface = Object.assign(Object.create(ours) as EVMBLSInterface, {
      addG1: (input: Uint8Array) => {
        const out = ours.addG1(input);
        const y = BigInt(bytesToHex(out.subarray(64)));
        return y === 0n ? out : bytes(fpHex(BigInt(bytesToHex(out.subarray(0, 64)))) + fpHex(Fp.neg(y)));
      },
    });
    const wrongVerdict = await withAdditions(wrong, verdict);
    console.log(
      `      ${txs.length} transactions: ${ownVerdict.slice(0, 24)}; G1ADD's sums negated: ${wrongVerdict.slice(0, 40)}`,
    );
    expect(wrongVerdict, "EXECUTE with G1ADD's sums negated").to.match(/^invalid \d+: receipts root mismatch/);
  });
});
