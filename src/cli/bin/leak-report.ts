#!/usr/bin/env node
import { runCli } from '../run.js';
import { reportCommand } from '../commands/report.js';

await runCli('leak-report', reportCommand);
