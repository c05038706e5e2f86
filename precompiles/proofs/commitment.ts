import { AbiCoder, getBytes, keccak256 } from "ethers";

import { type ExecuteResult, encodeExecuteResult } from "../codec";

/** Order of BN254's scalar field: public inputs of BN254 proofs live below it. */
export const BN254_SCALAR_FIELD = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

/**
 * The one public statement every proof of a block attests to:
 * `keccak256(abi.encode(uint64 chainId, bytes32 keccak256(parentHeader), bytes executeOutput))`
 * where `executeOutput` is the 352-byte EXECUTE result (block hash, roots, gas, fees, anchor…).
 */
export function executionCommitment(chainId: bigint, parentHeader: Uint8Array, result: ExecuteResult): Uint8Array {
  const encoded = AbiCoder.defaultAbiCoder().encode(
    ["uint64", "bytes32", "bytes"],
    [chainId, keccak256(parentHeader), encodeExecuteResult(result)],
  );
  return getBytes(keccak256(encoded));
}

/** The commitment as a BN254 field element: the 256-bit hash reduced modulo the scalar field. */
export function commitmentToField(commitment: Uint8Array): bigint {
  return BigInt(`0x${Buffer.from(commitment).toString("hex")}`) % BN254_SCALAR_FIELD;
}
