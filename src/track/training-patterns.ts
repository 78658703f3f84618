// What a training job's command line looks like. Each pattern carries the reason we print when
// --find-training picks (or lists) a process, so the choice is explainable in one line.

export interface TrainingPattern {
  re: RegExp;
  why: string;
  weight: number; // launchers outrank plain scripts when both match
}

export const TRAINING_PATTERNS: readonly TrainingPattern[] = [
  { re: /(^|[\s/])torchrun(\s|$)/, why: 'torchrun launcher', weight: 5 },
  { re: /-m\s+torch\.distributed\.(run|launch)\b/, why: 'torch.distributed launcher', weight: 5 },
  { re: /(^|[\s/])accelerate\s+launch\b/, why: 'accelerate launch', weight: 5 },
  { re: /(^|[\s/])deepspeed(\s|$)/, why: 'deepspeed launcher', weight: 5 },
  { re: /(^|[\s/])(lightning|pl)\s+run\b|lightning\.pytorch|pytorch_lightning/, why: 'PyTorch Lightning', weight: 4 },
  { re: /(^|[\s/])(trl|axolotl|llamafactory-cli|llamafactory)(\s|$)|-m\s+(trl|axolotl\.cli\.train|llamafactory)\b/, why: 'fine-tuning CLI (trl/axolotl/llamafactory)', weight: 4 },
  { re: /model-garden\s+serve\b/, why: 'model-garden serve (trainer service)', weight: 4 },
  { re: /(^|[\s/])python[\d.]*\s+(-\S+\s+)*\S*train\w*\.py\b/, why: 'python running a train*.py script', weight: 3 },
  { re: /(^|[\s/])(uv\s+run|poetry\s+run|conda\s+run)\b.*\btrain\w*\.py\b/, why: 'train*.py under a runner', weight: 3 },
  { re: /-m\s+\S*train\w*\b/, why: 'python -m …train… module', weight: 3 },
  { re: /(^|[\s/])(node|nodejs|bun|deno)\s+(\S+\s+)*\S*train\w*\.(m?js|cjs|ts)\b/, why: 'node running a train* script', weight: 2 },
];

/** The best-matching pattern for a command line, or null. */
export function matchTraining(cmdline: string): TrainingPattern | null {
  let best: TrainingPattern | null = null;
  for (const p of TRAINING_PATTERNS) if (p.re.test(cmdline) && (!best || p.weight > best.weight)) best = p;
  return best;
}
