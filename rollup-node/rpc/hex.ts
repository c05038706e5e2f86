import { bytesToHex, hexToBytes, isHexString } from "@ethereumjs/util";

import type { BlockTag } from "../chain/types";
import { invalidParams } from "./errors";

export type HexString = `0x${string}`;

/** A JSON-RPC QUANTITY: hex without leading zeros ("0x0" for zero). */
export function quantity(value: bigint | number): HexString {
  return `0x${value.toString(16)}`;
}

/** A JSON-RPC DATA string. */
export function data(bytes: Uint8Array): HexString {
  return bytesToHex(bytes) as HexString;
}

export function dataOrNull(bytes: Uint8Array | undefined): HexString | null {
  return bytes === undefined ? null : data(bytes);
}

export function parseQuantity(value: unknown, name: string): bigint {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value !== "string" || !/^0x[0-9a-fA-F]+$/.test(value))
    throw invalidParams(`${name}: expected a hex quantity, got ${JSON.stringify(value)}`);
  return BigInt(value);
}

export function parseOptionalQuantity(value: unknown, name: string): bigint | undefined {
  return value === undefined || value === null ? undefined : parseQuantity(value, name);
}

export function parseData(value: unknown, name: string, length?: number): Uint8Array {
  if (typeof value !== "string" || !isHexString(value)) {
    throw invalidParams(`${name}: expected 0x-prefixed hex data, got ${JSON.stringify(value)}`);
  }
  // Said apart from the prefix: "0x123" is 0x-prefixed hex, one digit short of whole bytes.
  if (value.length % 2 !== 0)
    throw invalidParams(`${name}: odd number of hex digits in ${JSON.stringify(value)} (data is whole bytes)`);
  const bytes = hexToBytes(value);
  if (length !== undefined && bytes.length !== length)
    throw invalidParams(`${name}: expected ${length} bytes, got ${bytes.length}`);
  return bytes;
}

export function parseAddress(value: unknown, name: string): Uint8Array {
  return parseData(value, name, 20);
}

export function parseHash(value: unknown, name: string): Uint8Array {
  return parseData(value, name, 32);
}

/** A storage slot: any hex quantity up to 32 bytes (clients send both padded and short forms). */
export function parseSlot(value: unknown, name: string): Uint8Array {
  if (typeof value !== "string" || !/^0x[0-9a-fA-F]{1,64}$/.test(value))
    throw invalidParams(
      `${name}: expected a storage slot (a hex quantity of at most 32 bytes), got ${JSON.stringify(value)}`,
    );
  const hex = value.slice(2);
  return hexToBytes(`0x${hex.length % 2 === 0 ? hex : `0${hex}`}`);
}

const TAGS = new Set(["latest", "earliest", "pending", "safe", "finalized"]);

/** A block parameter: tag, number, or EIP-1898 `{blockHash}` / `{blockNumber}`; default latest. */
export function parseBlockTag(value: unknown, name = "block"): BlockTag {
  if (value === undefined || value === null) return "latest";
  if (typeof value === "string" && TAGS.has(value)) return value as BlockTag;
  if (typeof value === "object") {
    const obj = value as { blockHash?: unknown; blockNumber?: unknown };
    if (obj.blockHash !== undefined) return { hash: parseHash(obj.blockHash, `${name}.blockHash`) };
    if (obj.blockNumber !== undefined) return parseBlockTag(obj.blockNumber, `${name}.blockNumber`);
  }
  if (typeof value === "string" && value.length === 66) return { hash: parseHash(value, name) };
  return parseQuantity(value, name);
}

export function parseBoolean(value: unknown, name: string): boolean {
  if (typeof value !== "boolean") throw invalidParams(`${name}: expected a boolean`);
  return value;
}
