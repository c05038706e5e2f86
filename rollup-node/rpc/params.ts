import type { CallRequest, LogFilter } from "../chain/types";
import type { TransactionRequest } from "./backend";
import { invalidParams } from "./errors";
import { parseAddress, parseBlockTag, parseData, parseHash, parseOptionalQuantity } from "./hex";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function asObject(value: unknown, name: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw invalidParams(`${name}: expected an object`);
  return value as Record<string, unknown>;
}

/** The transaction object of eth_call / eth_estimateGas. `input` wins over `data`, as in geth. */
export function parseCallRequest(value: unknown, name = "transaction"): CallRequest {
  const o = asObject(value, name);
  const out: Mutable<CallRequest> = {};
  if (o.from !== undefined && o.from !== null) out.from = parseAddress(o.from, `${name}.from`);
  if (o.to !== undefined && o.to !== null) out.to = parseAddress(o.to, `${name}.to`);
  out.gas = parseOptionalQuantity(o.gas, `${name}.gas`);
  out.gasPrice = parseOptionalQuantity(o.gasPrice, `${name}.gasPrice`);
  out.maxFeePerGas = parseOptionalQuantity(o.maxFeePerGas, `${name}.maxFeePerGas`);
  out.maxPriorityFeePerGas = parseOptionalQuantity(o.maxPriorityFeePerGas, `${name}.maxPriorityFeePerGas`);
  out.value = parseOptionalQuantity(o.value, `${name}.value`);
  out.nonce = parseOptionalQuantity(o.nonce, `${name}.nonce`);
  const input = o.input ?? o.data;
  if (input !== undefined && input !== null) out.data = parseData(input, `${name}.input`);
  if (Array.isArray(o.accessList)) {
    out.accessList = o.accessList.map((item: unknown, i) => {
      const entry = asObject(item, `${name}.accessList[${i}]`);
      const keys = Array.isArray(entry.storageKeys) ? entry.storageKeys : [];
      return {
        address: parseAddress(entry.address, `${name}.accessList[${i}].address`),
        storageKeys: keys.map((k: unknown) => parseHash(k, "storageKey")),
      };
    });
  }
  for (const key of Object.keys(out) as (keyof CallRequest)[]) if (out[key] === undefined) delete out[key];
  return out;
}

export function parseTransactionRequest(value: unknown): TransactionRequest {
  const request = parseCallRequest(value);
  if (request.from === undefined) throw invalidParams("transaction.from is required");
  const type = parseOptionalQuantity((value as Record<string, unknown>).type, "transaction.type");
  return { ...request, from: request.from, ...(type !== undefined ? { type: Number(type) } : {}) };
}

function parseTopic(value: unknown, name: string): Uint8Array | Uint8Array[] | null {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map((t, i) => parseHash(t, `${name}[${i}]`));
  return parseHash(value, name);
}

/** eth_getLogs' filter; tags are resolved against `head`. */
export function parseLogFilter(value: unknown, head: bigint): LogFilter {
  const o = asObject(value, "filter");
  const blockNumber = (tag: unknown, name: string): bigint | undefined => {
    if (tag === undefined || tag === null) return undefined;
    const parsed = parseBlockTag(tag, name);
    if (typeof parsed === "bigint") return parsed;
    if (parsed === "earliest") return 0n;
    if (typeof parsed === "object") throw invalidParams(`${name}: use blockHash to select a block by hash`);
    return head;
  };
  const out: Mutable<LogFilter> = {};
  if (o.blockHash !== undefined && o.blockHash !== null) {
    if (o.fromBlock !== undefined || o.toBlock !== undefined)
      throw invalidParams(
        "invalid filter: cannot specify both BlockHash and FromBlock/ToBlock, choose one or the other",
      );
    out.blockHash = parseHash(o.blockHash, "filter.blockHash");
  }
  const from = blockNumber(o.fromBlock, "filter.fromBlock");
  const to = blockNumber(o.toBlock, "filter.toBlock");
  if (from !== undefined) out.fromBlock = from;
  if (to !== undefined) out.toBlock = to;
  if (o.address !== undefined && o.address !== null) {
    out.addresses = Array.isArray(o.address)
      ? o.address.map((a: unknown, i) => parseAddress(a, `filter.address[${i}]`))
      : [parseAddress(o.address, "filter.address")];
  }
  if (Array.isArray(o.topics)) out.topics = o.topics.map((t: unknown, i) => parseTopic(t, `filter.topics[${i}]`));
  return out;
}
