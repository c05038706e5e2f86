import { parseArgs } from "node:util";

import { DEFAULT_L1_CHAIN_ID, DEFAULT_L1_PORT } from "./l1Devnet";
import { runL1DevnetForeground } from "./run";

/** Thrown for command-line arguments the devnet cannot use. */
export class CliUsageError extends Error {
  readonly code = "CLI_USAGE";
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = "CliUsageError";
  }
}

const USAGE = "usage: ts-node rollup-node/devnet/cli.ts [--host H] [--port N] [--fork osaka] [--block-time ms] [--chain-id N]";

function integer(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new CliUsageError(`--${name} must be a non-negative integer, got "${value}"`, USAGE);
  return Number(value);
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: "string" },
      port: { type: "string" },
      fork: { type: "string" },
      "block-time": { type: "string" },
      "chain-id": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help === true) {
    console.log(USAGE);
    return;
  }
  const chainId = integer(values["chain-id"], "chain-id");
  await runL1DevnetForeground({
    host: values.host,
    port: integer(values.port, "port") ?? DEFAULT_L1_PORT,
    hardfork: values.fork,
    blockTime: integer(values["block-time"], "block-time"),
    chainId: chainId === undefined ? DEFAULT_L1_CHAIN_ID : BigInt(chainId),
  });
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    () => process.exit(0),
    (error: Error & { hint?: string }) => {
      console.error(`error: ${error.message}`);
      if (error.hint !== undefined) console.error(`hint: ${error.hint}`);
      process.exit(1);
    },
  );
}
