// Hardhat extensions of this project; hardhat.config.ts imports this file. Everything lives in
// the plugin entry that generated projects import as "native-rollup/hardhat".
import "./plugin";
