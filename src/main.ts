import { runServeProgram } from './serve.js';

/** Entry point of the gateway process (`npm start`, `node dist/main.js`); see serve.ts. */
runServeProgram(process.argv.slice(2));
