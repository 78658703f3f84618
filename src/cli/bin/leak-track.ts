#!/usr/bin/env node
import { runCli } from '../run.js';
import { trackCommand } from '../commands/track.js';

await runCli('leak-track', trackCommand);
