/**
 * A seeded mutation fuzzer over valid EXECUTE inputs.
 *
 * A corpus of valid inputs is built once with `L2TestChain` (transfers, a deployment, storage
 * writes and a deletion, an empty block, a BLOCKHASH block). Each case picks a corpus entry and
 * applies one or more mutations, each at its own layer: the ABI envelope, the RLP of header
 * fields, the transaction list, the witness node lists, or raw bytes anywhere. The mutated input
 * is sent to EXECUTE through a bare EVM, exactly as a contract call would reach it.
 *
 * Oracle, for every case:
 *  - the call must finish within the per-case timeout (else `hang`) and must not throw (`crash`);
 *  - a failure must be a REVERT whose data decodes with `decodeExecuteInvalid`, consuming all
 *    the gas passed (else `badFailure`); a reason "EXECUTE failed unexpectedly" means a non-
 *    `ExecuteError` escaped the verifier (`internalError`);
 *  - accepted ⇒ the decoded (chainId, parentHeader, block) triple is byte-identical to the
 *    original's. The one exception is a triple with the original parent whose block differs from
 *    the original only in header fields a sequencer chooses freely (coinbase, gasLimit, extraData, mixHash)
 *    and/or whose chain id differs (a block without transactions never reads its chain id): it is
 *    a *different valid block*, OK only if re-executing it on the full state (not the witness)
 *    under that chain id reproduces every commitment of its header and EXECUTE returned the hash
 *    of its header bytes (label `accepted(other-valid-block)`). Anything else accepted is
 *    `acceptedAltered`;
 *  - structured mutations must fail with a sensible code (`EXPECTED_CODES`), else `unexpectedCode`;
 *  - a block the reference finds invalid is never given a code < 64 (`invalidBlockUnchecked`), nor
 *    accepted (`acceptedInvalid`). The reference is EthereumJS with full validation (format and
 *    consensus checks, the header against its parent, `runBlock` without `skipBlockValidation`,
 *    roots compared) on the full state, for a case whose chain id, parent and witness are the
 *    original's; for the system-contract cases, which EthereumJS wrongly accepts, it is the
 *    execution specs' rule itself. WitnessIncomplete (5) stays allowed: the witness was built for
 *    the original block, and the mutated one may read other state. Block bytes the rollup
 *    contracts refuse (`contractsAcceptAsBlock`) are exempt: they can never be a posted block.
 */
import { createBlockFromBytesArray } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import { type AddPrecompile, createEVM } from "@ethereumjs/evm";
import { MerklePatriciaTrie } from "@ethereumjs/mpt";
import { RLP } from "@ethereumjs/rlp";
import {
  ValueEncoding,
  bigIntToUnpaddedBytes,
  bytesToHex,
  createAddressFromString,
  equalsBytes,
} from "@ethereumjs/util";
import { createVM, runBlock } from "@ethereumjs/vm";
import { keccak_256 } from "@noble/hashes/sha3.js";

import {
  BEACON_ROOTS,
  CONSOLIDATION_REQUESTS,
  EXECUTE_ADDRESS,
  ExecuteErrorCode,
  VERIFIER_WRITES,
  type VerifierWrites,
  HISTORY_STORAGE,
  SYSTEM_CONTRACTS,
  SafeMerkleStateManager,
  WITHDRAWAL_REQUESTS,
  createExecutePrecompile,
  decodeExecuteInput,
  decodeExecuteInvalid,
  decodeExecuteResult,
  encodeExecuteInput,
  encodeWitness,
  executeErrorName,
  l2Common,
  maxVerifiableL2GasLimit,
  evmOptions,
} from "../precompiles";
import { contractsAcceptAsBlock } from "./blockHeadersReader";
import {
  BLOCKHASH_ADDRESS,
  BLOCKHASH_CODE,
  STORE_ADDRESS,
  STORE_AND_LOG_CODE,
  STORE_AND_LOG_INITCODE,
  TestSigner,
  storeCall,
  word,
} from "./l2Fixtures";
import { L2TestChain, type TestAccount, type WitnessParts } from "./l2TestChain";
import { compareWriteRules } from "./writeRuleDifferential";

export const FUZZ_CHAIN_ID = 904n;
const ONE_ETH = 10n ** 18n;
const CALLER = createAddressFromString("0x00000000000000000000000000000000000ca11e");
/** Far above what any corpus input costs: gas never decides the outcome unless a mutation makes the input huge. */
const CALL_GAS = 1_000_000_000n;

// ---------------------------------------------------------------------------------------------
// Corpus

export interface CorpusEntry {
  readonly name: string;
  /** The chain the block was built on (its full state is the reference's). */
  readonly chain: L2TestChain;
  readonly chainId: bigint;
  readonly parentHeader: Uint8Array;
  readonly block: Uint8Array;
  readonly witness: { state: Uint8Array[]; codes: Uint8Array[]; headers: Uint8Array[] };
  /** The block's witness as each write rule records it (`witness` is the default rule's). */
  readonly witnessByRule: Readonly<Record<VerifierWrites, WitnessParts>>;
  readonly input: Uint8Array;
}

export interface Corpus {
  readonly chain: L2TestChain;
  readonly entries: readonly CorpusEntry[];
  /**
   * Blocks built (by EthereumJS, which accepts them) on a genesis whose system contract is
   * missing, reverts or is foreign: invalid under the execution specs' system-call rules.
   */
  readonly brokenSystemContracts: readonly CorpusEntry[];
}

/** Heights at which mainnet scheduled forks by block number (the DAO fork's range, London). */
export const FORK_BOUNDARY_HEIGHTS: readonly bigint[] = [1_920_000n, 1_920_009n, 12_965_000n];
/** Runtime code that reverts at once (PUSH0 PUSH0 REVERT). */
const REVERT_CODE = "0x5f5ffd";

async function entryOf(
  name: string,
  chain: L2TestChain,
  built: Awaited<ReturnType<L2TestChain["buildBlock"]>>,
): Promise<CorpusEntry> {
  const witness = {
    state: [...built.witnessParts.state],
    codes: [...built.witnessParts.codes],
    headers: [...built.witnessParts.headers],
  };
  const input = encodeExecuteInput({
    chainId: FUZZ_CHAIN_ID,
    parentHeader: built.parentHeader,
    block: built.blockRlp,
    witness: built.witness,
    proofs: new Uint8Array(),
  });
  const parent = chain.headerAt(built.block.header.number - 1n);
  const witnessByRule = {} as Record<VerifierWrites, WitnessParts>;
  for (const rule of VERIFIER_WRITES) witnessByRule[rule] = await chain.witnessOf(built.block, parent, rule);
  return {
    name,
    chain,
    chainId: FUZZ_CHAIN_ID,
    parentHeader: built.parentHeader,
    block: built.blockRlp,
    witness,
    witnessByRule,
    input,
  };
}

/** One transfer block on a fresh chain created with `options` (a stand-in parent at a chosen height, or a chosen genesis). */
async function singleBlock(
  name: string,
  accounts: readonly TestAccount[],
  options: Parameters<typeof L2TestChain.create>[2],
): Promise<CorpusEntry> {
  const probe = await L2TestChain.create(FUZZ_CHAIN_ID, []);
  const a = TestSigner.fromSeed(13, probe.common);
  const chain = await L2TestChain.create(
    FUZZ_CHAIN_ID,
    [{ address: a.address.toString(), balance: 100n * ONE_ETH }, ...accounts],
    options,
  );
  const signer = TestSigner.fromSeed(13, chain.common);
  return await entryOf(
    name,
    chain,
    await chain.buildBlock([signer.tx({ to: "0x00000000000000000000000000000000000000aa", value: 3n })]),
  );
}

async function brokenSystemContractEntries(): Promise<CorpusEntry[]> {
  const without = (address: string) =>
    SYSTEM_CONTRACTS.filter((c) => c.address !== address).map((c) => ({ address: c.address, code: c.code }));
  const cases: [string, TestAccount[]][] = [
    ["no-7002-contract", without(WITHDRAWAL_REQUESTS.address)],
    [
      "codeless-7251-account",
      [...without(CONSOLIDATION_REQUESTS.address), { address: CONSOLIDATION_REQUESTS.address, balance: 1n }],
    ],
    [
      "reverting-7002-contract",
      [...without(WITHDRAWAL_REQUESTS.address), { address: WITHDRAWAL_REQUESTS.address, code: REVERT_CODE }],
    ],
    [
      "reverting-7251-contract",
      [...without(CONSOLIDATION_REQUESTS.address), { address: CONSOLIDATION_REQUESTS.address, code: REVERT_CODE }],
    ],
    ["foreign-4788-code", [...without(BEACON_ROOTS.address), { address: BEACON_ROOTS.address, code: REVERT_CODE }]],
    [
      "foreign-2935-code",
      [...without(HISTORY_STORAGE.address), { address: HISTORY_STORAGE.address, code: REVERT_CODE }],
    ],
  ];
  const entries: CorpusEntry[] = [];
  for (const [name, accounts] of cases) entries.push(await singleBlock(name, accounts, { withSystemContracts: false }));
  return entries;
}

/** Builds the valid inputs the fuzzer mutates (one chain, one block per scenario). */
export async function buildCorpus(): Promise<Corpus> {
  const probe = await L2TestChain.create(FUZZ_CHAIN_ID, []);
  const a = TestSigner.fromSeed(11, probe.common);
  const b = TestSigner.fromSeed(12, probe.common);
  const chain = await L2TestChain.create(FUZZ_CHAIN_ID, [
    { address: a.address.toString(), balance: 100n * ONE_ETH },
    { address: b.address.toString(), balance: 100n * ONE_ETH },
    {
      address: STORE_ADDRESS,
      code: STORE_AND_LOG_CODE,
      storage: { [`0x${word(1)}`]: "0x01", [`0x${word(2)}`]: "0x02", [`0x${word(3)}`]: "0x03" },
    },
    { address: BLOCKHASH_ADDRESS, code: BLOCKHASH_CODE },
  ]);
  const alice = TestSigner.fromSeed(11, chain.common);
  const bob = TestSigner.fromSeed(12, chain.common);
  const entries: CorpusEntry[] = [];
  const add = async (name: string, txs: Parameters<L2TestChain["buildBlock"]>[0]) => {
    entries.push(await entryOf(name, chain, await chain.buildBlock(txs)));
  };
  await add("transfers", [
    alice.tx({ to: bob.address.toString(), value: ONE_ETH }),
    bob.tx({ to: "0x00000000000000000000000000000000000000aa", value: 5n }),
    alice.legacyTx({ to: "0x00000000000000000000000000000000000000bb", value: 7n }),
  ]);
  await add("deploy", [alice.tx({ data: STORE_AND_LOG_INITCODE, gasLimit: 200_000n })]);
  await add("storage", [
    alice.tx({ to: STORE_ADDRESS, data: storeCall(7, 0xbeef) }),
    bob.tx({ to: STORE_ADDRESS, data: storeCall(2, 0) }),
    alice.tx({ to: STORE_ADDRESS, data: storeCall(1, 0x11) }),
  ]);
  await add("empty", []);
  await add("blockhash", [
    alice.tx({ to: BLOCKHASH_ADDRESS, data: `0x${word(2)}` }),
    bob.tx({ to: STORE_ADDRESS, data: storeCall(3, 0) }),
  ]);
  for (const height of FORK_BOUNDARY_HEIGHTS)
    entries.push(await singleBlock(`height-${height}`, [], { number: height - 1n }));
  return { chain, entries, brokenSystemContracts: await brokenSystemContractEntries() };
}

// ---------------------------------------------------------------------------------------------
// Seeded randomness

export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }
  /** mulberry32 */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  bytes(n: number): Uint8Array {
    return Uint8Array.from({ length: n }, () => this.int(256));
  }
}

// ---------------------------------------------------------------------------------------------
// Mutations

export const MUTATION_KINDS = [
  "rawByteFlip",
  "abiEnvelope",
  "fieldTruncate",
  "fieldExtend",
  "chainId",
  "headerField",
  "parentHeaderField",
  "txSwap",
  "txDropOrDuplicate",
  "witnessDrop",
  "witnessDuplicate",
  "witnessReorder",
  "witnessTruncateNode",
  "witnessAddUnused",
  "headerGas",
  "forkBoundary",
  "systemContract",
  "multi",
] as const;
export type MutationKind = (typeof MUTATION_KINDS)[number];

interface Triple {
  chainId: bigint;
  parentHeader: Uint8Array;
  block: Uint8Array;
  witness: CorpusEntry["witness"];
}

const HEADER_FIELD_NAMES = [
  "parentHash",
  "ommersHash",
  "coinbase",
  "stateRoot",
  "transactionsRoot",
  "receiptsRoot",
  "logsBloom",
  "difficulty",
  "number",
  "gasLimit",
  "gasUsed",
  "timestamp",
  "extraData",
  "mixHash",
  "nonce",
  "baseFeePerGas",
  "withdrawalsRoot",
  "blobGasUsed",
  "excessBlobGas",
  "parentBeaconBlockRoot",
  "requestsHash",
];
/**
 * Fields a sequencer chooses freely (coinbase, gasLimit within its bound, extraData, mixHash):
 * altering them can give another valid block, which the oracle then re-checks independently.
 */
const FREE_HEADER_FIELDS = new Set([2, 9, 12, 13]);

function flipByte(bytes: Uint8Array, rng: Rng): Uint8Array {
  const out = bytes.slice();
  if (out.length === 0) return Uint8Array.of(rng.int(256));
  const i = rng.int(out.length);
  out[i] ^= 1 << rng.int(8) || 1;
  if (rng.next() < 0.3) out[i] ^= rng.int(255) + 1; // sometimes a whole-byte change
  return out;
}

/** Alters one RLP byte string: flip, truncate, extend, empty, or integer ±1. */
function alterField(value: Uint8Array, rng: Rng): { value: Uint8Array; how: string } {
  const how = rng.pick(["flip", "truncate", "extend", "empty", "increment", "decrement"] as const);
  switch (how) {
    case "flip":
      return { value: flipByte(value, rng), how };
    case "truncate":
      return { value: value.slice(0, value.length === 0 ? 0 : rng.int(value.length)), how };
    case "extend":
      return { value: Uint8Array.from([...value, ...rng.bytes(1 + rng.int(4))]), how };
    case "empty":
      return { value: new Uint8Array(), how };
    case "increment":
    case "decrement": {
      let n = 0n;
      for (const b of value) n = (n << 8n) | BigInt(b);
      n = how === "increment" ? n + 1n : n === 0n ? 1n : n - 1n;
      const hex = n.toString(16);
      const out = Uint8Array.from(Buffer.from(hex.length % 2 ? `0${hex}` : hex, "hex"));
      // Keep fixed-width fields (hashes, addresses) at their width.
      if (value.length > 8 && out.length < value.length)
        return { value: Uint8Array.from([...new Uint8Array(value.length - out.length), ...out]), how };
      return { value: n === 0n ? new Uint8Array() : out, how };
    }
  }
}

function encodeTriple(t: Triple): Uint8Array {
  return encodeExecuteInput({
    chainId: t.chainId,
    parentHeader: t.parentHeader,
    block: t.block,
    witness: encodeWitness(t.witness),
    proofs: new Uint8Array(),
  });
}

type WitnessList = keyof CorpusEntry["witness"];
function nonEmptyLists(w: CorpusEntry["witness"]): WitnessList[] {
  return (["state", "codes", "headers"] as const).filter((k) => w[k].length > 0);
}

function bigIntOf(bytes: Uint8Array): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}

/** The block with header field `index` set to `value` (as raw RLP: no validation). */
function setHeaderField(block: Uint8Array, index: number, value: bigint | Uint8Array): Uint8Array {
  const list = (RLP.decode(block) as unknown as unknown[]).slice();
  const header = (list[0] as Uint8Array[]).slice();
  header[index] = typeof value === "bigint" ? bigIntToUnpaddedBytes(value) : value;
  list[0] = header;
  return RLP.encode(list as never);
}

const GAS_LIMIT_FIELD = 9;
const GAS_USED_FIELD = 10;
const NUMBER_FIELD = 8;
const EXTRA_DATA_FIELD = 12;
const BASE_FEE_FIELD = 15;
/** London's initial base fee and the DAO fork's required extraData: mainnet's rules at those heights. */
const LONDON_INITIAL_BASE_FEE = 1_000_000_000n;
const DAO_EXTRA_DATA = new TextEncoder().encode("dao-hard-fork");

interface Mutated {
  t: Triple;
  description: string;
  headerIndex?: number;
  /** Codes the case may fail with, when the mutation alone decides them. */
  expected?: readonly number[];
  /** The block is invalid by the rules: it must never be accepted. */
  invalid?: boolean;
}

/** Header gas fields: gasUsed above gasLimit, gas limits at 2^63, above EXECUTE's per-L1-block budget, zero, or off by one. */
function mutateHeaderGas(t: Triple, rng: Rng): Mutated {
  const header = (RLP.decode(t.block) as unknown as Uint8Array[][])[0] as Uint8Array[];
  const gasLimit = bigIntOf(header[GAS_LIMIT_FIELD]);
  const gasUsed = bigIntOf(header[GAS_USED_FIELD]);
  const options: [string, number, bigint][] = [
    ["gasUsed = gasLimit + k", GAS_USED_FIELD, gasLimit + 1n + BigInt(rng.int(1000))],
    ["gasUsed = 2^64 - 1", GAS_USED_FIELD, 2n ** 64n - 1n],
    ["gasUsed ± 1", GAS_USED_FIELD, rng.next() < 0.5 ? gasUsed + 1n : gasUsed === 0n ? 1n : gasUsed - 1n],
    ["gasLimit = 2^63 + k", GAS_LIMIT_FIELD, 2n ** 63n + BigInt(rng.int(1000))],
    ["gasLimit above EXECUTE's budget", GAS_LIMIT_FIELD, maxVerifiableL2GasLimit() + 1n + BigInt(rng.int(1000))],
    ["gasLimit = gasUsed - 1", GAS_LIMIT_FIELD, gasUsed === 0n ? 0n : gasUsed - 1n],
    ["gasLimit = 0", GAS_LIMIT_FIELD, 0n],
    ["gasLimit = 2^64 (9 bytes)", GAS_LIMIT_FIELD, 2n ** 64n],
  ];
  const [what, index, value] = rng.pick(options);
  return {
    t: { ...t, block: setHeaderField(t.block, index, value) },
    description: `header gas: ${what} (${value})`,
    headerIndex: index,
    expected: [C.InvalidHeader, C.InvalidGasLimit, C.GasUsedMismatch],
    invalid: true,
  };
}

/** At a height where mainnet scheduled a fork: mainnet's rule there (London's base fee, the DAO extraData), or a wrong number. */
function mutateForkBoundary(t: Triple, rng: Rng): Mutated {
  const header = (RLP.decode(t.block) as unknown as Uint8Array[][])[0] as Uint8Array[];
  const number = bigIntOf(header[NUMBER_FIELD]);
  switch (rng.int(3)) {
    case 0:
      // A base fee not computed from the parent: invalid here, even if mainnet's London demanded it.
      return {
        t: { ...t, block: setHeaderField(t.block, BASE_FEE_FIELD, LONDON_INITIAL_BASE_FEE) },
        description: `block ${number}: London's initial base fee`,
        headerIndex: BASE_FEE_FIELD,
        expected: [C.InvalidBaseFee],
        invalid: bigIntOf(header[BASE_FEE_FIELD]) !== LONDON_INITIAL_BASE_FEE,
      };
    case 1:
      // extraData is the producer's choice: another valid block, which the oracle re-checks.
      return {
        t: { ...t, block: setHeaderField(t.block, EXTRA_DATA_FIELD, DAO_EXTRA_DATA) },
        description: `block ${number}: extraData "dao-hard-fork"`,
        headerIndex: EXTRA_DATA_FIELD,
      };
    default: {
      const other = rng.next() < 0.5 ? number + 1n : number - 1n;
      return {
        t: { ...t, block: setHeaderField(t.block, NUMBER_FIELD, other) },
        description: `block ${number} renumbered ${other}`,
        headerIndex: NUMBER_FIELD,
        expected: [C.ParentMismatch],
        invalid: true,
      };
    }
  }
}

/** Applies one mutation of `kind` to `t` (structured kinds) or returns byte-level output. */
function mutateStructured(kind: MutationKind, t: Triple, rng: Rng): Mutated | undefined {
  switch (kind) {
    case "headerGas":
      return mutateHeaderGas(t, rng);
    case "forkBoundary":
      return mutateForkBoundary(t, rng);
    case "chainId": {
      const chainId = rng.pick([0n, t.chainId + 1n, t.chainId - 1n, 1n, (1n << 64n) - 1n, 1n << 53n]);
      return { t: { ...t, chainId }, description: `chainId ${t.chainId} -> ${chainId}` };
    }
    case "headerField":
    case "parentHeaderField": {
      const bytes = kind === "headerField" ? t.block : t.parentHeader;
      const decoded = RLP.decode(bytes) as unknown as Uint8Array[][] | Uint8Array[];
      const header = (kind === "headerField" ? (decoded as Uint8Array[][])[0] : decoded) as Uint8Array[];
      const index = rng.int(header.length + 1);
      const fields = header.slice();
      let how: string;
      if (index === header.length) {
        // Drop or add a trailing field.
        if (rng.next() < 0.5) {
          fields.pop();
          how = "drop last field";
        } else {
          fields.push(rng.bytes(32));
          how = "append a field";
        }
      } else {
        const altered = alterField(fields[index], rng);
        fields[index] = altered.value;
        how = `${HEADER_FIELD_NAMES[index] ?? index}: ${altered.how}`;
      }
      if (kind === "headerField") {
        const list = (decoded as unknown as unknown[]).slice();
        list[0] = fields;
        return {
          t: { ...t, block: RLP.encode(list as never) },
          description: `block header ${how}`,
          headerIndex: index,
        };
      }
      return { t: { ...t, parentHeader: RLP.encode(fields) }, description: `parent header ${how}`, headerIndex: index };
    }
    case "txSwap":
    case "txDropOrDuplicate": {
      const list = (RLP.decode(t.block) as unknown as unknown[]).slice();
      const txs = (list[1] as Uint8Array[]).slice();
      let description: string;
      if (kind === "txSwap") {
        if (txs.length < 2) return undefined;
        const i = rng.int(txs.length);
        let j = rng.int(txs.length - 1);
        if (j >= i) j++;
        [txs[i], txs[j]] = [txs[j], txs[i]];
        description = `swap transactions ${i} and ${j}`;
      } else {
        if (txs.length === 0) return undefined;
        if (rng.next() < 0.5) {
          const i = rng.int(txs.length);
          txs.splice(i, 0, txs[i]);
          description = `duplicate transaction ${i}`;
        } else {
          const i = rng.int(txs.length);
          txs.splice(i, 1);
          description = `drop transaction ${i}`;
        }
      }
      list[1] = txs;
      return { t: { ...t, block: RLP.encode(list as never) }, description };
    }
    case "witnessDrop":
    case "witnessDuplicate":
    case "witnessReorder":
    case "witnessTruncateNode":
    case "witnessAddUnused": {
      const lists = nonEmptyLists(t.witness);
      const listName: WitnessList =
        kind === "witnessAddUnused"
          ? rng.pick(["state", "codes", "headers"] as const)
          : lists.length
            ? rng.pick(lists)
            : "state";
      const nodes = t.witness[listName].slice();
      let description: string;
      if (kind === "witnessAddUnused") {
        const junk = rng.next() < 0.5 ? rng.bytes(1 + rng.int(80)) : RLP.encode([rng.bytes(32), rng.bytes(32)]);
        nodes.splice(
          rng.int(nodes.length + 1),
          0,
          listName === "headers"
            ? RLP.encode([rng.bytes(32), ...Array.from({ length: 9 }, () => rng.bytes(rng.int(4)))])
            : junk,
        );
        description = `add an unused ${listName} entry`;
      } else {
        if (nodes.length === 0) return undefined;
        const i = rng.int(nodes.length);
        if (kind === "witnessDrop") {
          nodes.splice(i, 1);
          description = `drop ${listName}[${i}]`;
        } else if (kind === "witnessDuplicate") {
          nodes.splice(rng.int(nodes.length + 1), 0, nodes[i]);
          description = `duplicate ${listName}[${i}]`;
        } else if (kind === "witnessReorder") {
          for (let k = nodes.length - 1; k > 0; k--) {
            const j = rng.int(k + 1);
            [nodes[k], nodes[j]] = [nodes[j], nodes[k]];
          }
          description = `shuffle ${listName}`;
        } else {
          nodes[i] = nodes[i].slice(0, rng.int(nodes[i].length));
          description = `truncate ${listName}[${i}]`;
        }
      }
      return { t: { ...t, witness: { ...t.witness, [listName]: nodes } }, description };
    }
    default:
      return undefined;
  }
}

/** Byte-level mutations of a whole input. */
function mutateBytes(
  kind: MutationKind,
  input: Uint8Array,
  rng: Rng,
): { input: Uint8Array; description: string } | undefined {
  const out = input.slice();
  switch (kind) {
    case "rawByteFlip": {
      const n = 1 + rng.int(3);
      const res = out;
      const at: number[] = [];
      for (let k = 0; k < n; k++) {
        const i = rng.int(res.length);
        at.push(i);
        res[i] ^= rng.int(255) + 1;
      }
      return { input: res, description: `flip bytes at ${at.join(",")}` };
    }
    case "abiEnvelope": {
      // Alter one head word (chainId, an offset) or one length word: these bytes are pure envelope.
      const head = rng.int(5);
      const offsetOf = (i: number) =>
        Number(BigInt(`0x${Buffer.from(input.subarray(i * 32, i * 32 + 32)).toString("hex")}`));
      const target = head === 0 || rng.next() < 0.5 ? head * 32 : offsetOf(head);
      const how = rng.pick(["flip", "max", "small", "plus32", "minus32"] as const);
      const wordBytes = out.subarray(target, target + 32);
      let value = BigInt(`0x${Buffer.from(wordBytes).toString("hex")}`);
      if (how === "flip") {
        const i = rng.int(32);
        wordBytes[i] ^= rng.int(255) + 1;
      } else {
        value =
          how === "max"
            ? (1n << 256n) - 1n
            : how === "small"
              ? BigInt(rng.int(200))
              : how === "plus32"
                ? value + 32n
                : value - 32n < 0n
                  ? 0n
                  : value - 32n;
        const hex = value.toString(16).padStart(64, "0");
        wordBytes.set(Buffer.from(hex, "hex"));
      }
      return { input: out, description: `envelope word at ${target}: ${how}` };
    }
    case "fieldTruncate": {
      if (rng.next() < 0.5) return { input: input.slice(0, rng.int(input.length)), description: "truncate the input" };
      // Shorten one field's declared length: its tail bytes fall into padding.
      const head = 1 + rng.int(4);
      const offset = Number(BigInt(`0x${Buffer.from(input.subarray(head * 32, head * 32 + 32)).toString("hex")}`));
      const length = Number(BigInt(`0x${Buffer.from(input.subarray(offset, offset + 32)).toString("hex")}`));
      if (length === 0) return undefined;
      const newLength = rng.int(length);
      out.set(Buffer.from(BigInt(newLength).toString(16).padStart(64, "0"), "hex"), offset);
      return { input: out, description: `field ${head} length ${length} -> ${newLength}` };
    }
    case "fieldExtend": {
      if (rng.next() < 0.3)
        return {
          input: Uint8Array.from([...input, ...rng.bytes(1 + rng.int(64))]),
          description: "append bytes to the input",
        };
      const head = 1 + rng.int(4);
      const offset = Number(BigInt(`0x${Buffer.from(input.subarray(head * 32, head * 32 + 32)).toString("hex")}`));
      const length = Number(BigInt(`0x${Buffer.from(input.subarray(offset, offset + 32)).toString("hex")}`));
      const newLength = length + 1 + rng.int(40);
      out.set(Buffer.from(BigInt(newLength).toString(16).padStart(64, "0"), "hex"), offset);
      return { input: out, description: `field ${head} length ${length} -> ${newLength}` };
    }
    default:
      return undefined;
  }
}

const BYTE_KINDS: ReadonlySet<MutationKind> = new Set(["rawByteFlip", "abiEnvelope", "fieldTruncate", "fieldExtend"]);
/** Kinds that draw their own base input instead of mutating a corpus entry's triple. */
const OWN_BASE_KINDS: ReadonlySet<MutationKind> = new Set(["systemContract", "multi"]);
const STRUCTURED_KINDS = MUTATION_KINDS.filter((k) => !BYTE_KINDS.has(k) && !OWN_BASE_KINDS.has(k));

export interface FuzzCase {
  readonly index: number;
  readonly entry: CorpusEntry;
  readonly kind: MutationKind;
  readonly input: Uint8Array;
  readonly description: string;
  readonly headerIndex?: number;
  /** Codes the case may fail with, when the mutation alone decides them. */
  readonly expected?: readonly number[];
  /** The block is invalid by the rules (reference or spec rule): it must never be accepted. */
  readonly invalid?: boolean;
}

/**
 * A system-contract case: a block EthereumJS builds on a genesis whose EIP-7002/7251 contract is
 * missing, codeless or reverting, or whose EIP-4788/2935 address holds foreign code (invalid:
 * SystemCallFailed); or a valid block whose witness lacks a system contract's code (the input
 * is incomplete: WitnessIncomplete).
 */
function systemContractCase(corpus: Corpus, rng: Rng, index: number): FuzzCase | undefined {
  if (rng.next() < 0.6) {
    const entry = rng.pick(corpus.brokenSystemContracts);
    return {
      index,
      entry,
      kind: "systemContract",
      input: entry.input,
      description: `genesis with ${entry.name}`,
      expected: [C.SystemCallFailed],
      invalid: true,
    };
  }
  const entry = rng.pick(corpus.entries);
  const systemCodes = new Set(SYSTEM_CONTRACTS.map((c) => c.code.toLowerCase()));
  const codes = entry.witness.codes.filter(
    (code) => !systemCodes.has(bytesToHex(code).toLowerCase()) || rng.next() < 0.3,
  );
  if (codes.length === entry.witness.codes.length) return undefined;
  const witness = { ...entry.witness, codes };
  const input = encodeTriple({ chainId: entry.chainId, parentHeader: entry.parentHeader, block: entry.block, witness });
  return {
    index,
    entry,
    kind: "systemContract",
    input,
    description: `witness without ${entry.witness.codes.length - codes.length} system contract code(s)`,
    expected: [C.WitnessIncomplete],
  };
}

/** Draws case `index` deterministically from `seed`. */
export function makeCase(corpus: Corpus, seed: number, index: number): FuzzCase {
  const rng = new Rng((seed * 0x9e3779b1 + index * 0x85ebca6b) >>> 0);
  for (;;) {
    const kind = rng.pick(MUTATION_KINDS);
    if (kind === "systemContract") {
      const c = systemContractCase(corpus, rng, index);
      if (c) return c;
      continue;
    }
    const heights = corpus.entries.filter((e) => e.name.startsWith("height-"));
    const entry = kind === "forkBoundary" && heights.length > 0 ? rng.pick(heights) : rng.pick(corpus.entries);
    const triple: Triple = {
      chainId: entry.chainId,
      parentHeader: entry.parentHeader,
      block: entry.block,
      witness: entry.witness,
    };
    if (BYTE_KINDS.has(kind)) {
      const m = mutateBytes(kind, entry.input, rng);
      if (m && !equalsBytes(m.input, entry.input)) return { index, entry, kind, ...m };
      continue;
    }
    if (kind === "multi") {
      // Two or three structured mutations, then sometimes a byte-level one on top.
      let t = triple;
      const parts: string[] = [];
      const n = 2 + rng.int(2);
      for (let k = 0; k < n; k++) {
        const m = mutateStructured(rng.pick(STRUCTURED_KINDS), t, rng);
        if (m) {
          t = m.t;
          parts.push(m.description);
        }
      }
      let input = encodeTriple(t);
      if (rng.next() < 0.3) {
        const m = mutateBytes(rng.pick([...BYTE_KINDS]), input, rng);
        if (m) {
          input = m.input;
          parts.push(m.description);
        }
      }
      if (parts.length === 0 || equalsBytes(input, entry.input)) continue;
      return { index, entry, kind, input, description: parts.join(" + ") };
    }
    const m = mutateStructured(kind, triple, rng);
    if (!m) continue;
    const input = encodeTriple(m.t);
    // A no-op (e.g. emptying an empty field) is redrawn: every case sends different bytes.
    if (equalsBytes(input, entry.input)) continue;
    return {
      index,
      entry,
      kind,
      input,
      description: m.description,
      headerIndex: m.headerIndex,
      expected: m.expected,
      invalid: m.invalid,
    };
  }
}

/** A fuzz case whose input EXECUTE's codec decodes, with that input and the case's index. */
export interface DecodedFuzzCase {
  readonly index: number;
  readonly fuzz: FuzzCase;
  readonly input: ReturnType<typeof decodeExecuteInput>;
}

/**
 * The cases among the first `count` of `seed` whose input the codec decodes: a differential of two
 * verifier paths compares what reaches a block, and an input refused before any block or state is
 * read is the same refusal on both.
 */
export function* decodableCases(corpus: Corpus, seed: number, count: number): Generator<DecodedFuzzCase> {
  for (let index = 0; index < count; index++) {
    const fuzz = makeCase(corpus, seed, index);
    let input: ReturnType<typeof decodeExecuteInput>;
    try {
      input = decodeExecuteInput(fuzz.input);
    } catch {
      continue;
    }
    yield { index, fuzz, input };
  }
}

// ---------------------------------------------------------------------------------------------
// Oracle

const C = ExecuteErrorCode;
const BLOCK_INVALID = Object.values(C).filter((c) => c >= C.ParentMismatch);
/** Codes a structured mutation may sensibly fail with; undefined: any `ExecuteInvalid` code. */
function expectedCodes(c: FuzzCase): readonly number[] | undefined {
  if (c.expected !== undefined) return c.expected;
  switch (c.kind) {
    case "witnessDrop":
    case "witnessTruncateNode":
      // A header entry that no longer decodes is MalformedInput; otherwise the data is simply gone.
      return [C.WitnessIncomplete, C.MalformedInput];
    case "witnessDuplicate":
    case "witnessReorder":
    case "witnessAddUnused":
      return []; // must be accepted
    case "txSwap":
    case "txDropOrDuplicate":
      return [C.InvalidTransactions];
    case "chainId":
      return [C.MalformedInput, C.InvalidTransactions];
    case "parentHeaderField":
      // The parent's hash changes, so linkage breaks, unless the field no longer decodes.
      return [C.MalformedInput, C.ParentMismatch];
    case "headerField": {
      const byField: Record<number, readonly number[]> = {
        0: [C.ParentMismatch],
        1: [C.InvalidHeader],
        3: [C.StateRootMismatch],
        4: [C.InvalidTransactions],
        5: [C.ReceiptsRootMismatch],
        6: [C.LogsBloomMismatch],
        7: [C.InvalidHeader],
        8: [C.ParentMismatch],
        9: [C.InvalidGasLimit],
        10: [C.GasUsedMismatch, C.InvalidHeader],
        14: [C.InvalidHeader],
        15: [C.InvalidBaseFee],
        16: [C.UnsupportedContent],
        17: [C.UnsupportedContent],
        18: [C.UnsupportedContent],
        20: [C.UnsupportedContent],
      };
      const specific = c.headerIndex === undefined ? undefined : byField[c.headerIndex];
      // Every field of the block's header can also lose its width or canonical form (InvalidHeader),
      // or shift the state read; none may make the block "could not be checked" (MalformedInput).
      return specific ? [C.InvalidHeader, ...specific] : [C.WitnessIncomplete, ...BLOCK_INVALID];
    }
    default:
      return undefined;
  }
}

export type Outcome =
  | { kind: "rejected"; code: number; reason: string }
  | { kind: "accepted"; identical: boolean; freeFieldBlock: boolean }
  | { kind: "failure"; failure: string; detail: string };

/**
 * The reference verdict on `blockRlp` over the original parent: EthereumJS with full validation
 * (format and consensus checks, header against parent, `runBlock` validating the block and
 * comparing every root) on the full state of the entry's chain. True when it finds it invalid.
 */
export async function referenceFindsInvalid(entry: CorpusEntry, blockRlp: Uint8Array): Promise<boolean> {
  const chain = entry.chain;
  const common = l2Common(entry.chainId);
  try {
    const block = createBlockFromBytesArray(RLP.decode(blockRlp) as never, { common });
    const h = block.header;
    const parent = chain.headerAt(h.number - 1n);
    if (!equalsBytes(parent.serialize(), entry.parentHeader) || !equalsBytes(h.parentHash, parent.hash())) return true;
    if (h.timestamp <= parent.timestamp || h.baseFeePerGas !== parent.calcNextBaseFee() || h.uncleHash.length !== 32)
      return true;
    h.validateGasLimit(parent);
    const trie = new MerklePatriciaTrie({
      db: chain.database,
      useKeyHashing: true,
      common,
      valueEncoding: ValueEncoding.Bytes,
    });
    const stateManager = new SafeMerkleStateManager({ trie, common });
    await stateManager.setStateRoot(parent.stateRoot);
    const blockchain = {
      async getBlock(n: number | bigint) {
        const header = chain.headerAt(BigInt(n));
        return { hash: () => header.hash(), header };
      },
      async putBlock() {},
      shallowCopy() {
        return this;
      },
    };
    // The reference keeps EthereumJS's own BLS12-381 backend (NobleBLS), not the project's
    // (precompiles/bls.ts): an independent answer the fuzzer compares EXECUTE's verdict with.
    const vm = await createVM({ common, stateManager, blockchain: blockchain as never });
    // Full block validation (gas limit cap, data, roots), but not the VM's blockchain-bound header lookup.
    await runBlock(vm, { block, skipHeaderValidation: true, skipHardForkValidation: true });
    return false;
  } catch {
    return true;
  }
}

export function outcomeLabel(o: Outcome): string {
  if (o.kind === "rejected") return executeErrorName(o.code);
  if (o.kind === "accepted") return o.identical ? "accepted(unchanged)" : "accepted(other-valid-block)";
  return `FAIL:${o.failure}`;
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | "timeout"> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** EIP-1559's gas limit rule, restated here so that the oracle does not trust `headerRules.ts`. */
function gasLimitWithinBound(gasLimit: bigint, parentGasLimit: bigint): boolean {
  const delta = gasLimit > parentGasLimit ? gasLimit - parentGasLimit : parentGasLimit - gasLimit;
  return delta < parentGasLimit / 1024n && gasLimit >= 5000n;
}

/** Re-executes `blockRlp` on the full state of the chain (no witness): does it match its own header? */
async function fullStateAccepts(
  chain: L2TestChain,
  common: Common,
  parentHeader: Uint8Array,
  blockRlp: Uint8Array,
): Promise<boolean> {
  try {
    const block = createBlockFromBytesArray(RLP.decode(blockRlp) as never, {
      common,
      skipConsensusFormatValidation: true,
    });
    const parentNumber = block.header.number - 1n;
    if (!equalsBytes(chain.headerAt(parentNumber).serialize(), parentHeader)) return false;
    const trie = new MerklePatriciaTrie({
      db: chain.database,
      useKeyHashing: true,
      common,
      valueEncoding: ValueEncoding.Bytes,
    });
    const stateManager = new SafeMerkleStateManager({ trie, common });
    await stateManager.setStateRoot(chain.headerAt(parentNumber).stateRoot);
    const blockchain = {
      async getBlock(n: number | bigint) {
        const h = chain.headerAt(BigInt(n));
        return { hash: () => h.hash(), header: h };
      },
      async putBlock() {},
      shallowCopy() {
        return this;
      },
    };
    const vm = await createVM({ common, stateManager, blockchain: blockchain as never });
    const result = await runBlock(vm, {
      block,
      generate: true,
      skipBlockValidation: true,
      skipHardForkValidation: true,
    });
    const h = block.header;
    // Full-state execution writes to the shared database; content addressing makes that harmless.
    return (
      equalsBytes(result.stateRoot, h.stateRoot) &&
      equalsBytes(result.receiptsRoot, h.receiptTrie) &&
      equalsBytes(result.logsBloom, h.logsBloom) &&
      result.gasUsed === h.gasUsed &&
      h.gasUsed <= h.gasLimit &&
      h.extraData.length <= 32 &&
      gasLimitWithinBound(h.gasLimit, chain.headerAt(parentNumber).gasLimit)
    );
  } catch {
    return false;
  }
}

/** The header fields (by index) in which two encoded blocks differ; undefined if anything else differs. */
function differingHeaderFields(a: Uint8Array, b: Uint8Array): number[] | undefined {
  try {
    const la = RLP.decode(a) as unknown as Uint8Array[][];
    const lb = RLP.decode(b) as unknown as Uint8Array[][];
    if (la.length !== lb.length) return undefined;
    for (let i = 1; i < la.length; i++)
      if (!equalsBytes(RLP.encode(la[i] as never), RLP.encode(lb[i] as never))) return undefined;
    const ha = la[0];
    const hb = lb[0];
    if (ha.length !== hb.length) return undefined;
    return ha.map((_, i) => i).filter((i) => !equalsBytes(ha[i], hb[i]));
  } catch {
    return undefined;
  }
}

/**
 * True when the case sends the original chain id, parent header and witness with another block
 * that the rollup contracts would accept as a posted block (`contractsAcceptAsBlock`, the
 * restatement of BlockHeaders.decode), and the reference finds that block invalid: then no code
 * below 64 is acceptable. Bytes the contracts refuse can never be posted, and MalformedInput is
 * right for them.
 */
async function alteredBlockIsInvalid(c: FuzzCase): Promise<boolean> {
  let decoded;
  try {
    decoded = decodeExecuteInput(c.input);
  } catch {
    return false;
  }
  const e = c.entry;
  const sameInputs =
    decoded.chainId === e.chainId &&
    equalsBytes(decoded.parentHeader, e.parentHeader) &&
    equalsBytes(decoded.witness, encodeWitness(e.witness));
  if (!sameInputs || equalsBytes(decoded.block, e.block) || !contractsAcceptAsBlock(decoded.block)) return false;
  return referenceFindsInvalid(e, decoded.block);
}

/**
 * Runs one case through a fresh EVM with EXECUTE registered. `precompile` replaces the real
 * one (only to check that the oracle catches a broken verifier).
 */
export async function runCase(
  corpus: Corpus,
  c: FuzzCase,
  timeoutMs = 10_000,
  precompile: () => AddPrecompile = createExecutePrecompile,
): Promise<Outcome> {
  const gasLimit = CALL_GAS;
  const run = async () => {
    const evm = await createEVM(evmOptions({ customPrecompiles: [precompile()] }));
    return (
      await evm.runCall({ caller: CALLER, to: createAddressFromString(EXECUTE_ADDRESS), data: c.input, gasLimit })
    ).execResult;
  };
  let exec;
  try {
    const r = await withTimeout(run(), timeoutMs);
    if (r === "timeout") return { kind: "failure", failure: "hang", detail: `no answer within ${timeoutMs} ms` };
    exec = r;
  } catch (error) {
    return { kind: "failure", failure: "crash", detail: String((error as Error)?.stack ?? error) };
  }

  if (exec.exceptionError === undefined) {
    if (c.invalid === true)
      return {
        kind: "failure",
        failure: "acceptedInvalid",
        detail: `accepted a block the rules make invalid (${c.description})`,
      };
    let decoded;
    try {
      decoded = decodeExecuteInput(c.input);
    } catch (error) {
      return {
        kind: "failure",
        failure: "acceptedAltered",
        detail: `accepted an input that does not decode: ${String(error)}`,
      };
    }
    const e = c.entry;
    const sameParent = equalsBytes(decoded.parentHeader, e.parentHeader);
    if (sameParent && decoded.chainId === e.chainId && equalsBytes(decoded.block, e.block))
      return { kind: "accepted", identical: true, freeFieldBlock: false };
    // Another valid block (or the same block valid under another chain id, e.g. one without
    // transactions)? Only free header fields may differ, and full-state execution under the
    // claimed chain id must agree.
    const diff = sameParent ? differingHeaderFields(e.block, decoded.block) : undefined;
    if (diff && diff.every((i) => FREE_HEADER_FIELDS.has(i))) {
      const common = l2Common(decoded.chainId);
      const block = createBlockFromBytesArray(RLP.decode(decoded.block) as never, {
        common,
        skipConsensusFormatValidation: true,
      });
      const returned = decodeExecuteResult(exec.returnValue);
      const rawHeaderHash = keccak_256(RLP.encode((RLP.decode(decoded.block) as unknown as Uint8Array[][])[0]));
      if (
        equalsBytes(returned.blockHash, rawHeaderHash) &&
        equalsBytes(returned.blockHash, block.hash()) &&
        (await fullStateAccepts(c.entry.chain, common, decoded.parentHeader, decoded.block))
      ) {
        return { kind: "accepted", identical: false, freeFieldBlock: true };
      }
    }
    return {
      kind: "failure",
      failure: "acceptedAltered",
      detail: `accepted a block that differs from the original (${c.description})`,
    };
  }

  const invalid = decodeExecuteInvalid(exec.returnValue);
  if (invalid === undefined)
    return {
      kind: "failure",
      failure: "badFailure",
      detail: `revert data is not ExecuteInvalid (${exec.exceptionError.error})`,
    };
  if (exec.exceptionError.error !== "revert")
    return { kind: "failure", failure: "badFailure", detail: `failure is ${exec.exceptionError.error}, not a revert` };
  if (exec.executionGasUsed !== gasLimit)
    return {
      kind: "failure",
      failure: "badFailure",
      detail: `failure used ${exec.executionGasUsed} of ${gasLimit} gas`,
    };
  if (executeErrorName(invalid.code).startsWith("Unknown"))
    return { kind: "failure", failure: "badFailure", detail: `unknown code ${invalid.code}` };
  if (invalid.reason.startsWith("EXECUTE failed unexpectedly"))
    return { kind: "failure", failure: "internalError", detail: invalid.reason };
  if (
    invalid.code < C.ParentMismatch &&
    invalid.code !== C.WitnessIncomplete &&
    (c.invalid === true || (await alteredBlockIsInvalid(c)))
  ) {
    return {
      kind: "failure",
      failure: "invalidBlockUnchecked",
      detail: `${executeErrorName(invalid.code)} (< 64) for an invalid block: ${invalid.reason}`,
    };
  }
  const expected = expectedCodes(c);
  if (expected !== undefined && !expected.includes(invalid.code)) {
    const want = expected.length ? expected.map(executeErrorName).join("|") : "acceptance";
    return {
      kind: "failure",
      failure: "unexpectedCode",
      detail: `${executeErrorName(invalid.code)} (${invalid.reason}); expected ${want}`,
    };
  }
  return { kind: "rejected", code: invalid.code, reason: invalid.reason };
}

// ---------------------------------------------------------------------------------------------
// Campaign

export interface FuzzReport {
  readonly cases: number;
  readonly seed: number;
  readonly millis: number;
  /** kind → outcome label → count */
  readonly table: Map<string, Map<string, number>>;
  /**
   * Of the cases also run under every write rule: compared; left out because a rule found the
   * witness incomplete; left out because the calldata does not decode (no rule applies).
   */
  readonly writeRules: {
    readonly cases: number;
    readonly compared: number;
    readonly incompleteForSome: number;
    readonly noInput: number;
  };
  readonly failures: {
    index: number;
    corpus: string;
    kind: string;
    description: string;
    outcome: string;
    detail: string;
  }[];
}

/**
 * Runs a case under every write rule (tools/writeRuleDifferential.ts), its witness extended with
 * the nodes each rule's recording of the unmutated block read: the same verdict under all, or a
 * failure. Undefined when the rules agree; the comparison's counts go to `counts`.
 */
export async function writeRulesDisagree(
  c: FuzzCase,
  counts: { compared: number; incompleteForSome: number; noInput: number },
): Promise<string | undefined> {
  let decoded: ReturnType<typeof decodeExecuteInput>;
  try {
    decoded = decodeExecuteInput(c.input);
  } catch {
    counts.noInput++; // the precompile's codec refuses it before any rule applies
    return undefined;
  }
  const comparison = await compareWriteRules(
    { chainId: decoded.chainId, parentHeader: decoded.parentHeader, block: decoded.block, witness: decoded.witness },
    VERIFIER_WRITES.map((rule) => c.entry.witnessByRule[rule]),
  );
  if (comparison.compared) counts.compared++;
  else counts.incompleteForSome++;
  return comparison.divergence;
}

/** How many of a campaign's cases (its first) `runFuzz` also runs under every write rule, unless told. */
export const DEFAULT_ALL_RULES_CASES = 100;

export async function runFuzz(options: {
  cases: number;
  seed: number;
  timeoutMs?: number;
  corpus?: Corpus;
  /** The first this many cases are also run under every write rule (`DEFAULT_ALL_RULES_CASES`; 0: none). */
  allRulesCases?: number;
  onProgress?: (done: number) => void;
}): Promise<FuzzReport> {
  const started = Date.now();
  const corpus = options.corpus ?? (await buildCorpus());
  const table = new Map<string, Map<string, number>>();
  const failures: FuzzReport["failures"] = [];
  const allRulesCases = Math.min(options.cases, options.allRulesCases ?? DEFAULT_ALL_RULES_CASES);
  const ruleCounts = { compared: 0, incompleteForSome: 0, noInput: 0 };
  for (let i = 0; i < options.cases; i++) {
    const c = makeCase(corpus, options.seed, i);
    const outcome = await runCase(corpus, c, options.timeoutMs);
    const label = outcomeLabel(outcome);
    const row = table.get(c.kind) ?? new Map<string, number>();
    row.set(label, (row.get(label) ?? 0) + 1);
    table.set(c.kind, row);
    const failure = (outcome: string, detail: string) =>
      failures.push({
        index: i,
        corpus: c.entry.name,
        kind: c.kind,
        description: c.description,
        outcome,
        detail: detail.slice(0, 500),
      });
    if (outcome.kind === "failure") failure(outcome.failure, outcome.detail);
    if (i < allRulesCases) {
      const divergence = await writeRulesDisagree(c, ruleCounts);
      if (divergence !== undefined) failure("writeRuleDivergence", divergence);
    }
    options.onProgress?.(i + 1);
  }
  return {
    cases: options.cases,
    seed: options.seed,
    millis: Date.now() - started,
    table,
    writeRules: { cases: allRulesCases, ...ruleCounts },
    failures,
  };
}

export function formatReport(r: FuzzReport): string {
  const lines = [
    `EXECUTE mutation fuzz: ${r.cases} cases, seed ${r.seed}, ${(r.millis / 1000).toFixed(1)} s, ${r.failures.length} failures`,
  ];
  const totals = new Map<string, number>();
  for (const kind of MUTATION_KINDS) {
    const row = r.table.get(kind);
    if (!row) continue;
    const n = [...row.values()].reduce((a, b) => a + b, 0);
    const cells = [...row.entries()].sort((a, b) => b[1] - a[1]).map(([label, count]) => `${label}=${count}`);
    lines.push(`  ${kind.padEnd(20)} ${String(n).padStart(5)}  ${cells.join(" ")}`);
    for (const [label, count] of row) totals.set(label, (totals.get(label) ?? 0) + count);
  }
  lines.push(
    `  ${"TOTAL".padEnd(20)} ${String(r.cases).padStart(5)}  ${[...totals.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([l, c]) => `${l}=${c}`)
      .join(" ")}`,
  );
  lines.push(
    `  write rules: ${r.writeRules.cases} cases under all three, ${r.writeRules.compared} compared, ${r.writeRules.incompleteForSome} witness incomplete for some rule, ${r.writeRules.noInput} calldata not decoded`,
  );
  for (const f of r.failures.slice(0, 20))
    lines.push(`  FAIL #${f.index} [${f.corpus}/${f.kind}] ${f.description}: ${f.outcome}: ${f.detail}`);
  return lines.join("\n");
}
