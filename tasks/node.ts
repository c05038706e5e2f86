// The tasks that run a rollup outside the devnet: `rollup:genesis` writes the L2 genesis file,
// `rollup:node` and `rollup:attester` run the node and an attester (the same code as the package's
// `native-rollup-node` and `native-rollup-attester` bins). Their options are the commands' own
// tables (rollup-node/node/nodeCommand.ts, rollup-node/node/attesterCommand.ts).
import { task, types } from "hardhat/config";
import type { ConfigurableTaskDefinition } from "hardhat/types";

import { type OptionSpec, camelName } from "../rollup-node/node/commandOptions";
import { NODE_OPTIONS } from "../rollup-node/node/nodeOptions";
import { ATTESTER_OPTIONS } from "../rollup-node/node/attesterOptions";
import { DEFAULT_RELAYER_GENESIS_BALANCE } from "../rollup-node/node/genesisDefaults";
import { DEFAULT_ATTESTER_WAIT_MS } from "../rollup-node/provers/defaults";
import { taskAction } from "./taskErrors";

/** Hardhat's own `--config` would take the option's place: the tasks call it `--<command>-config`. */
const taskParamName = (spec: OptionSpec, command: string): string =>
  spec.name === "config" ? `${command}Config` : camelName(spec.name);

/** Declares the options of `specs` on a task, with no default of their own (the table's applies). */
function withOptions(
  definition: ConfigurableTaskDefinition,
  specs: readonly OptionSpec[],
  command: string,
): ConfigurableTaskDefinition {
  for (const spec of specs) {
    if (spec.name === "help") continue;
    const description = `${spec.description}${spec.default === undefined || spec.type === "boolean" ? "" : ` (default ${spec.default})`}`;
    if (spec.type === "boolean") definition.addFlag(taskParamName(spec, command), description);
    else
      definition.addOptionalParam(
        taskParamName(spec, command),
        description,
        undefined,
        spec.type === "integer" ? types.int : types.string,
      );
  }
  return definition;
}

/** The task's arguments as the command line the command parses. */
export function taskArgv(
  specs: readonly OptionSpec[],
  args: Readonly<Record<string, unknown>>,
  command: string,
): string[] {
  const argv: string[] = [];
  for (const spec of specs) {
    const value = args[taskParamName(spec, command)];
    if (value === undefined || value === false) continue;
    argv.push(`--${spec.name}`);
    if (value !== true) argv.push(String(value));
  }
  return argv;
}

withOptions(
  task(
    "rollup:node",
    "Runs the L2 node of a deployed rollup (sequencer or follower) on any L1; keys from NATIVE_ROLLUP_<ROLE>_KEY or keystores",
  ),
  NODE_OPTIONS,
  "node",
).setAction(
  // A refusal (no key, another genesis, an unreachable L1) is one line and its hint, like every task's.
  taskAction(async (args: Record<string, unknown>, hre) => {
    // The node reads the compiled L2Bridge (the dev genesis) and the contract bindings.
    await hre.run("compile", { quiet: true });
    const { runNodeCommand } = await import("../rollup-node/node/cli");
    // Hardhat's own --config takes a hardhat.config: the node's file is --node-config here.
    // The project's declared rule is checked on L1 against the deployed contract, as rollup:deploy does.
    await runNodeCommand(
      taskArgv(NODE_OPTIONS, args, "node"),
      "npx hardhat rollup:node",
      "--node-config",
      hre.config.rollup.sequencing.kind,
    );
  }),
);

withOptions(
  task(
    "rollup:attester",
    "Runs one committee attester over HTTP, with its own key (NATIVE_ROLLUP_ATTESTER_KEY or a keystore)",
  ),
  ATTESTER_OPTIONS,
  "attester",
).setAction(
  taskAction(async (args: Record<string, unknown>) => {
    const { runAttesterCommand } = await import("../rollup-node/node/attesterCli");
    // Hardhat's own --config takes a hardhat.config: the attester's file is --attester-config here.
    await runAttesterCommand(
      taskArgv(ATTESTER_OPTIONS, args, "attester"),
      "npx hardhat rollup:attester",
      "--attester-config",
    );
  }),
);

task(
  "rollup:genesis",
  "Writes the L2 genesis of hardhat.config.ts `rollup` (chain id, gas limit, allocations, predeploys, L2Bridge, the fork's system contracts) as a geth genesis.json",
)
  .addOptionalParam("out", "The file to write", "genesis.json", types.string)
  .addOptionalParam("timestamp", "Genesis timestamp, seconds since the epoch (default: now)", undefined, types.int)
  .addOptionalParam(
    "relayer",
    "L2 address of the node's relayer, funded at genesis (default: the address of NATIVE_ROLLUP_RELAYER_KEY or _KEYSTORE; with --dev, the dev node's relayer)",
    undefined,
    types.string,
  )
  .addOptionalParam(
    "relayerBalance",
    // A whole number of ETH here: ethers is not loaded to declare the task.
    `ETH the relayer holds at genesis (the deployment backs it on L1; default ${Number(DEFAULT_RELAYER_GENESIS_BALANCE) / 1e18} ETH)`,
    undefined,
    types.string,
  )
  .addFlag("dev", "Also fund the ten public dev accounts (a throw-away chain only)")
  .setAction(
    taskAction(
      async (args: { out: string; timestamp?: number; relayer?: string; relayerBalance?: string; dev: boolean }, hre) =>
        (await import("./nodeActions")).genesis(args, hre),
    ),
  );

task(
  "rollup:verification-keys",
  "Writes the --verification-keys file of rollup:deploy: each committee's Groth16 verification key, from the circuit the framework ships and its running attesters' public keys",
)
  .addParam(
    "attesters",
    "Each committee's attester URLs, member i at the i-th (URL,URL,URL); committees separated by ';'",
    undefined,
    types.string,
  )
  .addOptionalParam("out", "The file to write", "verification-keys.json", types.string)
  .addOptionalParam(
    "attesterWait",
    "How long to wait, in ms, for an attester that does not answer yet (one started at the same time), as rollup:node --attester-wait; 0 asks once",
    DEFAULT_ATTESTER_WAIT_MS,
    types.int,
  )
  .setAction(
    taskAction(async (args: { attesters: string; out: string; attesterWait: number }) =>
      (await import("./keysActions")).verificationKeys(args),
    ),
  );
