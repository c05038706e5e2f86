import type { Chain } from "../../chain/chain";
import type {
  BlockOverrides,
  SimulatedBlock,
  SimulatedBlockSpec,
  SimulatedCallRequest,
  SimulationSpec,
  StateOverride,
} from "../../chain/simulateBlocks";
import { invalidParams } from "../errors";
import { type Json, formatBlock, formatLog } from "../format";
import {
  type HexString,
  data,
  parseAddress,
  parseBlockTag,
  parseBoolean,
  parseData,
  parseHash,
  parseOptionalQuantity,
  quantity,
} from "../hex";
import { parseCallRequest } from "../params";
import type { MethodTable } from "./types";

type JsonObject = Record<string, unknown>;

function asObject(value: unknown, name: string): JsonObject {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw invalidParams(`${name}: expected an object`);
  return value as JsonObject;
}

function slotMap(value: unknown, name: string): Map<HexString, Uint8Array> {
  const out = new Map<HexString, Uint8Array>();
  for (const [slot, word] of Object.entries(asObject(value, name)))
    out.set(data(parseHash(slot, `${name} key`)), parseHash(word, `${name}[${slot}]`));
  return out;
}

function parseStateOverrides(value: unknown): Map<HexString, StateOverride> {
  const out = new Map<HexString, StateOverride>();
  for (const [address, raw] of Object.entries(asObject(value, "stateOverrides"))) {
    const name = `stateOverrides[${address}]`;
    const o = asObject(raw, name);
    if (o.state !== undefined && o.state !== null && o.stateDiff !== undefined && o.stateDiff !== null)
      throw invalidParams(`${name}: state and stateDiff cannot both be set`);
    const balance = parseOptionalQuantity(o.balance, `${name}.balance`);
    const nonce = parseOptionalQuantity(o.nonce, `${name}.nonce`);
    out.set(data(parseAddress(address, name)), {
      ...(balance !== undefined ? { balance } : {}),
      ...(nonce !== undefined ? { nonce } : {}),
      ...(o.code !== undefined && o.code !== null ? { code: parseData(o.code, `${name}.code`) } : {}),
      ...(o.state !== undefined && o.state !== null ? { state: slotMap(o.state, `${name}.state`) } : {}),
      ...(o.stateDiff !== undefined && o.stateDiff !== null
        ? { stateDiff: slotMap(o.stateDiff, `${name}.stateDiff`) }
        : {}),
      ...(o.movePrecompileToAddress !== undefined && o.movePrecompileToAddress !== null
        ? { movePrecompileToAddress: parseAddress(o.movePrecompileToAddress, `${name}.movePrecompileToAddress`) }
        : {}),
    });
  }
  return out;
}

function parseBlockOverrides(value: unknown): BlockOverrides {
  const o = asObject(value, "blockOverrides");
  const entries = {
    number: parseOptionalQuantity(o.number, "blockOverrides.number"),
    time: parseOptionalQuantity(o.time, "blockOverrides.time"),
    gasLimit: parseOptionalQuantity(o.gasLimit, "blockOverrides.gasLimit"),
    baseFeePerGas: parseOptionalQuantity(o.baseFeePerGas, "blockOverrides.baseFeePerGas"),
    blobBaseFee: parseOptionalQuantity(o.blobBaseFee, "blockOverrides.blobBaseFee"),
    feeRecipient:
      o.feeRecipient === undefined || o.feeRecipient === null
        ? undefined
        : parseAddress(o.feeRecipient, "blockOverrides.feeRecipient"),
    prevRandao:
      o.prevRandao === undefined || o.prevRandao === null
        ? undefined
        : parseHash(o.prevRandao, "blockOverrides.prevRandao"),
  };
  return Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined)) as BlockOverrides;
}

/** An eth_call request, plus the blob fields a simulated call may carry. */
function parseSimulatedCall(c: JsonObject, name: string): SimulatedCallRequest {
  const request = parseCallRequest(c, name);
  const maxFeePerBlobGas = parseOptionalQuantity(c.maxFeePerBlobGas, `${name}.maxFeePerBlobGas`);
  let blobVersionedHashes: Uint8Array[] | undefined;
  if (c.blobVersionedHashes !== undefined && c.blobVersionedHashes !== null) {
    if (!Array.isArray(c.blobVersionedHashes)) throw invalidParams(`${name}.blobVersionedHashes: expected an array`);
    blobVersionedHashes = c.blobVersionedHashes.map((h: unknown, i) =>
      parseHash(h, `${name}.blobVersionedHashes[${i}]`),
    );
  }
  return {
    ...request,
    ...(maxFeePerBlobGas !== undefined ? { maxFeePerBlobGas } : {}),
    ...(blobVersionedHashes !== undefined ? { blobVersionedHashes } : {}),
  };
}

function parseBlockSpec(value: unknown, index: number): SimulatedBlockSpec {
  const o = asObject(value, `blockStateCalls[${index}]`);
  const calls = o.calls === undefined || o.calls === null ? [] : o.calls;
  if (!Array.isArray(calls)) throw invalidParams(`blockStateCalls[${index}].calls: expected an array`);
  return {
    ...(o.blockOverrides !== undefined && o.blockOverrides !== null
      ? { blockOverrides: parseBlockOverrides(o.blockOverrides) }
      : {}),
    ...(o.stateOverrides !== undefined && o.stateOverrides !== null
      ? { stateOverrides: parseStateOverrides(o.stateOverrides) }
      : {}),
    calls: calls.map((call: unknown, i) => {
      const name = `blockStateCalls[${index}].calls[${i}]`;
      const c = asObject(call, name);
      if (c.authorizationList !== undefined && c.authorizationList !== null)
        throw invalidParams(`${name}: set-code calls are not supported by this node`);
      return parseSimulatedCall(c, name);
    }),
  };
}

export function parseSimulationSpec(value: unknown): { spec: SimulationSpec; fullTransactions: boolean } {
  const o = asObject(value, "simulation");
  if (!Array.isArray(o.blockStateCalls)) throw invalidParams("blockStateCalls: expected an array");

  return {
    spec: {
      blocks: o.blockStateCalls.map(parseBlockSpec),
      validation:
        o.validation === undefined || o.validation === null ? false : parseBoolean(o.validation, "validation"),
      traceTransfers:
        o.traceTransfers === undefined || o.traceTransfers === null
          ? false
          : parseBoolean(o.traceTransfers, "traceTransfers"),
    },
    fullTransactions:
      o.returnFullTransactions === undefined || o.returnFullTransactions === null
        ? false
        : parseBoolean(o.returnFullTransactions, "returnFullTransactions"),
  };
}

function simulatedBlockJson(simulated: SimulatedBlock, fullTransactions: boolean): Json {
  const { block } = simulated;
  const calls = simulated.calls.map((call, i) => ({
    returnData: data(call.returnData),
    logs: call.logs.map((log) =>
      formatLog({
        ...log,
        blockNumber: block.header.number,
        blockHash: block.hash(),
        blockTimestamp: block.header.timestamp,
        transactionHash: simulated.receipts[i]?.transactionHash ?? new Uint8Array(32),
        transactionIndex: i,
        logIndex: log.logIndex,
      }),
    ),
    gasUsed: quantity(call.gasUsed),
    maxUsedGas: quantity(call.maxUsedGas),
    status: quantity(call.status),
    error:
      call.error === undefined
        ? undefined
        : {
            message: call.error.message,
            code: call.error.code,
            data: call.error.data === undefined ? undefined : data(call.error.data),
          },
  }));
  return { ...(formatBlock(block, fullTransactions) as { [key: string]: Json }), calls };
}

async function simulateV1(chain: Chain, params: readonly unknown[]): Promise<Json> {
  const { spec, fullTransactions } = parseSimulationSpec(params[0]);
  const blocks = await chain.simulateBlocks(spec, parseBlockTag(params[1]));
  return blocks.map((b) => simulatedBlockJson(b, fullTransactions));
}

/** eth_simulateV1 (execution-apis). */
export const simulateMethods: MethodTable = {
  eth_simulateV1: (params, { chain }) => simulateV1(chain, params),
};
