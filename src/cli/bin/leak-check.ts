#!/usr/bin/env node
import { runCli } from '../run.js';
import { checkCommand, checkParser } from '../commands/check.js';

await runCli('leak-check', checkCommand, checkParser);
