import { type Block, createBlockFromBytesArray } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import { RLP } from "@ethereumjs/rlp";

import { ChainImportError } from "./errors";

/**
 * Decodes a chain file (geth's `export` format: RLP-encoded blocks back to back). Each block
 * gets its own copy of `common`, set to the fork its number and timestamp fall in.
 */
export function decodeChainFile(bytes: Uint8Array, common: Common): Block[] {
  const blocks: Block[] = [];
  let rest = bytes;
  while (rest.length > 0) {
    let decoded: { data: unknown; remainder: Uint8Array };
    try {
      decoded = RLP.decode(rest, true) as unknown as { data: unknown; remainder: Uint8Array };
    } catch (error) {
      throw new ChainImportError(
        `block #${blocks.length + 1} of the chain file does not decode: ${(error as Error).message}`,
      );
    }
    if (!Array.isArray(decoded.data))
      throw new ChainImportError(`item #${blocks.length + 1} of the chain file is not an RLP list`);
    try {
      blocks.push(
        createBlockFromBytesArray(decoded.data as Parameters<typeof createBlockFromBytesArray>[0], {
          common,
          setHardfork: true,
        }),
      );
    } catch (error) {
      throw new ChainImportError(
        `item #${blocks.length + 1} of the chain file is not a block: ${(error as Error).message}`,
      );
    }
    rest = decoded.remainder;
  }
  return blocks;
}
