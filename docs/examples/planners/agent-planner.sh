#!/bin/sh
# A `command` planner that asks an agent CLI for the breakdown. In .baton/config.yaml:
#
#   breakdown:
#     planner: command
#     command: AGENT='claude -p' sh path/to/agent-planner.sh
#     timeout: 5m
#
# AGENT is any command that reads a prompt on stdin and prints its answer (an agent CLI in
# non-interactive mode: `claude -p`, `codex exec -`, `gemini`, …). Baton sends the task as JSON on
# stdin; this script asks for a plan in the shape of docs/planner-output.schema.json and prints the
# JSON object of the answer (agents often add prose or Markdown fences around it).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
schema="$here/../../planner-output.schema.json"
task=$(cat)
{
  printf '%s\n' 'Break the task below into 3 to 8 subtasks, in the order they should be done, each small'
  printf '%s\n' 'enough for one worker to finish in a few hours. Title each with a verb and its object.'
  printf '%s\n' 'Answer with one JSON object and nothing else, matching this JSON Schema:'
  cat "$schema"
  printf '\nThe task, as JSON:\n%s\n' "$task"
} | ${AGENT:?set AGENT to the agent command, such as claude -p} |
  node -e '
    let text = "";
    process.stdin.on("data", (d) => { text += d; });
    process.stdin.on("end", () => {
      const start = text.indexOf("{");
      const end = text.lastIndexOf("}");
      if (start < 0 || end < start) { console.error("the agent answered no JSON object"); process.exit(1); }
      process.stdout.write(text.slice(start, end + 1));
    });
  '
