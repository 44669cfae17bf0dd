/**
 * Entry point of `cosell` (`npm run cosell -- <command>`, `npm start` runs `cosell sandbox`).
 * Exits explicitly: open handles (keep-alive sockets, a logger destination) must not keep a finished
 * command alive.
 */
import { runCli } from "./program";

process.exit(await runCli(process.argv.slice(2)));
