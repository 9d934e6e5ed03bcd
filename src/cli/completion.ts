import type { Command } from 'commander';
import { BatonError } from '../core/errors.js';

/** Shell completion scripts, generated from the commander program: every command, subcommand and option. */

interface Entry {
  name: string;
  description: string;
  options: string[];
  subcommands: { name: string; description: string }[];
}

function entries(program: Command): { commands: Entry[]; globals: string[] } {
  const flags = (c: Command) => c.options.flatMap((o) => [o.long, o.short].filter((f): f is string => Boolean(f)));
  const commands = program.commands.map((c) => ({
    name: c.name(),
    description: c.description().split('\n')[0] ?? '',
    options: [...flags(c), '--help'],
    subcommands: c.commands.map((s) => ({ name: s.name(), description: s.description().split('\n')[0] ?? '' })),
  }));
  return { commands, globals: [...flags(program), '--help'] };
}

export const SHELLS = ['bash', 'zsh', 'fish'] as const;

export function completionScript(program: Command, shell: string): string {
  const { commands, globals } = entries(program);
  if (shell === 'bash') return bash(commands, globals);
  if (shell === 'zsh') return zsh(commands, globals);
  if (shell === 'fish') return fish(commands, globals);
  throw new BatonError('invalid_argument', `shell: must be one of ${SHELLS.join(', ')} (got "${shell}")`, { field: 'shell' });
}

function bash(commands: Entry[], globals: string[]): string {
  const cases = commands
    .map((c) => `    ${c.name}) words="${[...c.subcommands.map((s) => s.name), ...c.options].join(' ')}" ;;`)
    .join('\n');
  return `# baton completion for bash: eval "$(baton completion bash)"
_baton() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" cmd="" i words
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in -*) ;; *) cmd="\${COMP_WORDS[i]}"; break ;; esac
  done
  if [ -z "$cmd" ]; then
    COMPREPLY=($(compgen -W "${commands.map((c) => c.name).join(' ')} ${globals.join(' ')}" -- "$cur"))
    return
  fi
  case "$cmd" in
${cases}
    *) words="" ;;
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F _baton baton
`;
}

const zq = (s: string) => s.replace(/'/g, `'\\''`).replace(/:/g, '\\:');

function zsh(commands: Entry[], globals: string[]): string {
  const list = commands.map((c) => `    '${zq(c.name)}:${zq(c.description)}'`).join('\n');
  const cases = commands
    .map((c) => {
      const subs = c.subcommands.map((s) => `'${zq(s.name)}:${zq(s.description)}'`).join(' ');
      return `    ${c.name}) ${subs ? `local -a subs; subs=(${subs}); _describe 'subcommand' subs; ` : ''}compadd -- ${c.options.join(' ')} ;;`;
    })
    .join('\n');
  return `#compdef baton
# baton completion for zsh: eval "$(baton completion zsh)"
_baton() {
  local -a commands
  commands=(
${list}
  )
  if (( CURRENT == 2 )); then
    _describe 'command' commands
    compadd -- ${globals.join(' ')}
    return
  fi
  case "$words[2]" in
${cases}
  esac
}
if [ "$funcstack[1]" = "_baton" ]; then _baton "$@"; else compdef _baton baton; fi
`;
}

const fq = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function fish(commands: Entry[], globals: string[]): string {
  const names = commands.map((c) => c.name).join(' ');
  const lines = [
    '# baton completion for fish: baton completion fish | source',
    'complete -c baton -f',
    ...globals.filter((f) => f.startsWith('--')).map((f) => `complete -c baton -n '__fish_use_subcommand' -l ${f.slice(2)}`),
    ...commands.map((c) => `complete -c baton -n '__fish_use_subcommand' -a ${c.name} -d ${fq(c.description)}`),
    ...commands.flatMap((c) => [
      ...c.subcommands.map(
        (s) => `complete -c baton -n '__fish_seen_subcommand_from ${c.name}' -a ${s.name} -d ${fq(s.description)}`,
      ),
      ...c.options
        .filter((f) => f.startsWith('--'))
        .map((f) => `complete -c baton -n '__fish_seen_subcommand_from ${c.name}' -l ${f.slice(2)}`),
    ]),
  ];
  return `${lines.join('\n')}\n# commands: ${names}\n`;
}
