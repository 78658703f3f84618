#!/usr/bin/env node
import { runCli } from '../run.js';
import { checkCommand } from '../commands/check.js';

await runCli('leak-check', checkCommand);
