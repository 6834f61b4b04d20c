import { DockerfileParser } from 'dockerfile-ast';
import { escapeRegExp, splitWords } from './shell-words.ts';

/** One instruction as Docker reads it: continuations joined, comments inside them dropped. */
export interface DockerInstruction {
  /** Upper-case keyword (`RUN`), or whatever word starts an unknown instruction. */
  keyword: string;
  /** 1-based line the instruction starts on. */
  line: number;
  /** The arguments on one logical line, heredoc bodies left out. */
  args: string;
  heredocs: Heredoc[];
  /** The instruction as written, on one line and shortened, for sources and messages. */
  text: string;
}

export interface Heredoc {
  name: string;
  body: string;
  terminated: boolean;
}

export interface ParsedDockerfile {
  escape: string;
  instructions: DockerInstruction[];
}

const TEXT_LIMIT = 120;
const HEREDOC_INSTRUCTIONS = new Set(['RUN', 'COPY', 'ADD']);
const HEREDOC_WORD = /^(\d*)<<(-?)([^<]+)$/;

/**
 * The instructions of a Dockerfile. dockerfile-ast finds where each one starts and
 * ends (parser directives, continuations, heredocs); the logical text is rebuilt
 * here from the lines so that it is exactly what Docker hands to the instruction.
 */
export function readInstructions(text: string): ParsedDockerfile {
  const dockerfile = DockerfileParser.parse(text);
  const escape = dockerfile.getEscapeCharacter();
  const lines = text.split(/\r\n|\r|\n/);
  const continuation = new RegExp(`${escapeRegExp(escape)}[ \\t]*$`);
  const instructions: DockerInstruction[] = [];
  let consumedUntil = -1;

  for (const parsed of dockerfile.getInstructions()) {
    const range = parsed.getRange();
    if (range.start.line <= consumedUntil) continue; // a heredoc body the library did not recognise
    const keywordRange = parsed.getInstructionRange();
    const written = parsed.getInstruction();
    const keyword = written.toUpperCase();
    const { args, lastLine } = logicalArguments(lines, keywordRange.end.line, keywordRange.end.character, continuation);
    const heredocs = HEREDOC_INSTRUCTIONS.has(keyword) ? readHeredocs(args, lines, lastLine + 1, escape) : { heredocs: [], end: lastLine };
    consumedUntil = Math.max(range.end.line, heredocs.end);
    instructions.push({ keyword, line: range.start.line + 1, args: args.trim(), heredocs: heredocs.heredocs, text: oneLine(`${written} ${args}`) });
  }
  return { escape, instructions };
}

function logicalArguments(lines: readonly string[], start: number, column: number, continuation: RegExp): { args: string; lastLine: number } {
  let args = '';
  for (let i = start; i < lines.length; i++) {
    const line = i === start ? (lines[i] ?? '').slice(column) : (lines[i] ?? '');
    // Docker skips blank lines and comment lines inside a continued instruction.
    if (i !== start && /^\s*(#|$)/.test(line)) continue;
    const match = continuation.exec(line);
    if (!match) return { args: args + line, lastLine: i };
    args += line.slice(0, match.index);
  }
  return { args, lastLine: lines.length - 1 };
}

// Heredocs named on the line (`<<EOF`, `<<-"EOF"`, `3<<EOF`) have their bodies after it, one after the other.
function readHeredocs(args: string, lines: readonly string[], from: number, escape: string): { heredocs: Heredoc[]; end: number } {
  const heredocs: Heredoc[] = [];
  let next = from;
  for (const word of splitWords(args, escape)) {
    const match = HEREDOC_WORD.exec(word);
    if (!match) continue;
    const name = (match[3] ?? '').replace(/["']/g, '');
    if (name === '') continue;
    const chomp = match[2] === '-';
    const body: string[] = [];
    let terminated = false;
    for (; next < lines.length; next++) {
      const line = lines[next] ?? '';
      if ((chomp ? line.replace(/^\t+/, '') : line) === name) {
        terminated = true;
        next++;
        break;
      }
      body.push(line);
    }
    heredocs.push({ name, body: body.join('\n'), terminated });
  }
  return { heredocs, end: next - 1 };
}

/** Whitespace collapsed to one space and cut at TEXT_LIMIT characters. */
export function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= TEXT_LIMIT ? flat : `${flat.slice(0, TEXT_LIMIT - 1)}…`;
}
