// Hardhat extensions of this project; hardhat.config.ts imports this file.
import "./solc";
import "./inProcessNetwork";
import "./devnet";
import "./rollup";
