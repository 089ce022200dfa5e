export { startSimulator, type Simulator, type SimulatorOptions } from './simulator.js';
export { SCENARIO_NAMES, type ScenarioName } from './scenarios/index.js';
export { splitIntoPieces } from './pieces.js';
export { readChatStream, assembleChatStream, type AssembledAnswer, type ChatStreamEvents } from './chatStreamReader.js';
export type * from './types.js';
export type * from './wireTypes.js';
