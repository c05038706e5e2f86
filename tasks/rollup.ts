// Task definitions only: their actions live in ./rollupActions and load when a task runs,
// because they need the contract bindings `hardhat compile` generates after the config loads.
// Every action runs inside `taskAction`: a failure is one line and a hint, never a stack trace.
import { task, types } from "hardhat/config";

import { DEFAULT_ROLLUP_POLICY } from "../deploy/policy";
import { DEFAULT_DATA_DIR, DEFAULT_L2_CHAIN_ID, TASK_DEFAULT_URLS } from "../rollup-node/devnet/defaults";
import { integerText, withIntegers } from "./integerOptions";
import type { DeployArgs } from "./rollupActions";
import type { ConnectionArgs, SignerArgs } from "./rollupContext";
import { RPC_ENV, taskAction } from "./taskErrors";

type TaskDefinition = ReturnType<typeof task>;

/** `--account` of the tasks that act as a dev account. */
const ACCOUNT = { account: 0 } as const;

/** Where the devnet is: every task that talks to it takes these. */
const withConnection = <T extends TaskDefinition>(t: T): T =>
  t
    .addOptionalParam(
      "l1Rpc",
      `L1 node URL (default: $${RPC_ENV.L1}, else the config's l1 network, ${TASK_DEFAULT_URLS.l1})`,
      undefined,
      types.string,
    )
    .addOptionalParam(
      "l2Rpc",
      `L2 node URL (default: $${RPC_ENV.L2}, else the config's l2 network, ${TASK_DEFAULT_URLS.l2})`,
      undefined,
      types.string,
    )
    .addOptionalParam(
      "rollup",
      "Rollup contract on L1 (default: the one the L2 node serves, else the devnet's record in --data-dir)",
      undefined,
      types.string,
    )
    .addOptionalParam(
      "dataDir",
      "Data directory of the devnet whose rollup.json to read when the L2 node does not name its rollup",
      DEFAULT_DATA_DIR,
      types.string,
    ) as T;

/** The tasks that send transactions act as one of the ten funded dev accounts. */
const withSigner = <T extends TaskDefinition>(t: T): T =>
  withConnection(t)
    .addOptionalParam(
      "account",
      "Index of the `l1` network's account to act with, on both layers (default the dev accounts 0–9; NATIVE_ROLLUP_USER_KEY wins)",
      0,
      integerText,
    )
    .addFlag("dev", "Allow the public dev keys on an L1 other than the devnet's") as T;

const actions = () => import("./rollupActions");

task(
  "rollup:deploy",
  "Deploys the rollup contract of hardhat.config.ts `rollup.contract` (default: ExampleRollup, or ProvenRollup with --verification-keys) on an L1 you name, after checking that L1 can verify it; writes deployment.json and resumes an interrupted run",
)
  .addOptionalParam(
    "l1Rpc",
    "L1 JSON-RPC URL; the deployer's key comes from NATIVE_ROLLUP_DEPLOYER_KEY or NATIVE_ROLLUP_DEPLOYER_KEYSTORE (+ _KEYSTORE_PASSWORD). Or use --network <name> and its accounts",
    undefined,
    types.string,
  )
  .addOptionalParam(
    "l2ChainId",
    "L2 chain id (default: the --genesis file's, else rollup.l2ChainId of hardhat.config.ts)",
    undefined,
    integerText,
  )
  .addOptionalParam(
    "genesis",
    "The L2 genesis file (rollup:genesis --out): its hash and state root are deployed, and the deployer backs its supply",
    undefined,
    types.string,
  )
  .addOptionalParam(
    "genesisHash",
    "L2 genesis block hash (default: the --genesis file's; the dev genesis, built now, only on the devnet or with --dev)",
    undefined,
    types.string,
  )
  .addOptionalParam("genesisStateRoot", "L2 genesis state root (with --genesis-hash)", undefined, types.string)
  .addOptionalParam(
    "sequencer",
    "L1 address allowed to advance (required off the devnet; on it, the dev node's key)",
    undefined,
    types.string,
  )
  .addOptionalParam(
    "relayer",
    "L2 address funded in the dev genesis to relay L1 → L2 messages (default: the dev node's relayer)",
    undefined,
    types.string,
  )
  .addOptionalParam(
    "inactivity",
    `Seconds of sequencer silence after which anyone may advance (default ${DEFAULT_ROLLUP_POLICY.sequencerInactivityPeriod}); fallback sequencing only, refused under based or permissioned`,
    undefined,
    integerText,
  )
  .addOptionalParam(
    "forceInclusion",
    "Seconds after which a queued message must be consumed",
    Number(DEFAULT_ROLLUP_POLICY.forceInclusionDelay),
    integerText,
  )
  .addOptionalParam(
    "verificationKeys",
    "Proof mode: a JSON file with the ABI-encoded verification key of each accepted proof type (a committee's: committeeVerificationKey)",
    undefined,
    types.string,
  )
  .addOptionalParam(
    "threshold",
    "Proof mode: how many of the keys must prove each block (default: rollup.proofs.threshold, else all)",
    undefined,
    integerText,
  )
  .addFlag(
    "verifiers",
    "Proof mode: verify with Solidity Groth16 verifiers even where the L1 has EXECUTE (chosen anyway where it has not)",
  )
  .addFlag(
    "dev",
    "Allow a key of the public dev mnemonic, and the dev genesis (its ten public accounts funded), on an L1 other than the devnet (a throwaway local chain only)",
  )
  .addOptionalParam(
    "out",
    "The deployment record (the node reads it: rollup:node --deployment); <out>.partial holds an unfinished run",
    "deployment.json",
    types.string,
  )
  .setAction(
    taskAction(
      withIntegers(
        {
          l2ChainId: Number(DEFAULT_L2_CHAIN_ID),
          inactivity: Number(DEFAULT_ROLLUP_POLICY.sequencerInactivityPeriod),
          forceInclusion: Number(DEFAULT_ROLLUP_POLICY.forceInclusionDelay),
          threshold: 1,
        },
        async (args: DeployArgs, hre) => (await actions()).deploy(args, hre),
      ),
    ),
  );

withSigner(task("rollup:deposit", "Deposits ETH from L1 to L2 and waits until it is credited on L2"))
  .addParam("amount", "ETH to deposit (more than 0)", undefined, types.string)
  .addOptionalParam("to", "L2 recipient (default: the same account)", undefined, types.string)
  .setAction(
    taskAction(
      withIntegers(ACCOUNT, async (args: SignerArgs & { amount: string; to?: string }, hre) =>
        (await actions()).deposit(args, hre),
      ),
    ),
  );

withSigner(
  task(
    "rollup:send-message",
    "Sends an L1 → L2 call (L2Bridge.l1Sender() is the sender during it) and waits for its relay",
  ),
)
  .addParam("to", "L2 contract to call", undefined, types.string)
  .addOptionalParam("data", "Calldata, 0x… (or --sig and --args)", undefined, types.string)
  .addOptionalParam(
    "sig",
    'Function to call, e.g. "setValue(uint256)": the task encodes the call',
    undefined,
    types.string,
  )
  .addOptionalParam("args", "Its arguments, comma-separated (41,0xabc…) or a JSON array", undefined, types.string)
  .addOptionalParam(
    "gasLimit",
    "Gas of the L2 call (above a deposit's 100,000, the L1 transaction burns ≈ 2/3 L1 gas per gas)",
    200_000,
    integerText,
  )
  .addOptionalParam("value", "ETH to send along", "0", types.string)
  .setAction(
    taskAction(
      withIntegers(
        { ...ACCOUNT, gasLimit: 200_000 },
        async (
          args: SignerArgs & {
            to: string;
            data?: string;
            sig?: string;
            args?: string;
            gasLimit: number;
            value: string;
          },
          hre,
        ) => (await actions()).sendMessage(args, hre),
      ),
    ),
  );

withSigner(
  task("rollup:withdraw", "Withdraws ETH from L2 to L1: initiates on L2, waits until provable, finalizes on L1"),
)
  .addParam("amount", "ETH to withdraw (more than 0)", undefined, types.string)
  .addOptionalParam("to", "L1 recipient (default: the same account)", undefined, types.string)
  .addOptionalParam(
    "timeout",
    "Seconds to wait for the L2 block to be accepted on L1 (then resume with rollup:finalize)",
    300,
    integerText,
  )
  .setAction(
    taskAction(
      withIntegers(
        { ...ACCOUNT, timeout: 300 },
        async (args: SignerArgs & { amount: string; to?: string; timeout: number }, hre) =>
          (await actions()).withdraw(args, hre),
      ),
    ),
  );

withSigner(
  task(
    "rollup:finalize",
    "Finalizes an L2 → L1 message on L1 (resumes an interrupted withdrawal): waits until its L2 block is accepted, then proves it",
  ),
)
  .addPositionalParam(
    "hash",
    "The message hash, or the hash of the L2 transaction that sent it",
    undefined,
    types.string,
  )
  .addOptionalParam(
    "timeout",
    "Seconds to wait for the L2 block to be accepted on L1 (0: do not wait)",
    300,
    integerText,
  )
  .setAction(
    taskAction(
      withIntegers({ ...ACCOUNT, timeout: 300 }, async (args: SignerArgs & { hash: string; timeout: number }, hre) =>
        (await actions()).finalize(args, hre),
      ),
    ),
  );

withSigner(
  task(
    "rollup:retry-message",
    "Runs the L2 call of a failed L1 → L2 message again (L2Bridge.retryMessage; anyone may, once the call can succeed)",
  ),
)
  .addPositionalParam(
    "hash",
    "The message hash, or the hash of the L1 transaction that sent it",
    undefined,
    types.string,
  )
  .setAction(
    taskAction(
      withIntegers(ACCOUNT, async (args: SignerArgs & { hash: string }, hre) =>
        (await actions()).retryMessage(args, hre),
      ),
    ),
  );

withConnection(
  task(
    "rollup:message",
    "Shows where a message stands (either direction): its status, the blocks and transactions that carried it, and what to do next",
  ),
)
  .addPositionalParam(
    "hash",
    "A message hash, or the hash of the L1 or L2 transaction that sent it",
    undefined,
    types.string,
  )
  .setAction(taskAction(async (args: ConnectionArgs & { hash: string }, hre) => (await actions()).message(args, hre)));

withConnection(task("rollup:balance", "Shows an account's ETH on L1 and on L2"))
  .addOptionalParam("account", "Dev account index (0–9)", 0, integerText)
  .addOptionalParam("address", "Any address instead of a dev account", undefined, types.string)
  .setAction(
    taskAction(
      withIntegers(ACCOUNT, async (args: ConnectionArgs & { account: number; address?: string }, hre) =>
        (await actions()).balance(args, hre),
      ),
    ),
  );

withConnection(
  task(
    "rollup:status",
    "Shows the L1 and L2 heads, the L2 head accepted on L1 (optimistic: proposed, with its challenge window's end, and final), the pending L1 messages and transactions held for proposal slack",
  ),
).setAction(taskAction(async (args: ConnectionArgs, hre) => (await actions()).status(args, hre)));

withConnection(
  task(
    "rollup:blocks",
    "Shows how L1 accepted each L2 block: re-executed by EXECUTE, or proven (under which of the policy's keys)",
  ),
)
  .addOptionalParam("last", "How many of the latest accepted blocks to show", 20, integerText)
  .setAction(
    taskAction(
      withIntegers({ last: 20 }, async (args: ConnectionArgs & { last: number }, hre) =>
        (await actions()).blocks(args, hre),
      ),
    ),
  );
