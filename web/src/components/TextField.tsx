import type { ComponentChildren } from 'preact';

export interface TextFieldProps {
  label: string;
  name: string;
  value: string;
  onInput: (e: Event) => void;
  /** What is wrong with the value (the form's own check or the server's refusal), shown under it. */
  problem?: string | undefined;
  /** The key the problem is reported under, when not `name` (the server names `estimateMinutes`). */
  problemKey?: string;
  placeholder?: string;
  /** Code-like input (a cron line, a command): set in the monospace face. */
  mono?: boolean;
  maxLength?: number;
  /** A multi-line field of this many rows. */
  rows?: number;
  disabled?: boolean;
  /** A note under the field, read with it by screen readers. */
  note?: { id: string; text: ComponentChildren } | null;
}

/**
 * One labelled text field of a form, with its problem under it: marked invalid and described by
 * the message, so a screen reader reads why along with the field.
 */
export function TextField(props: TextFieldProps) {
  const errorId = `${props.problemKey ?? props.name}-error`;
  const describedBy = [props.problem ? errorId : null, props.note?.id].filter(Boolean).join(' ') || undefined;
  // Tied by id as well as by nesting, so the label names the control whichever element it is.
  const id = `field-${props.name}`;
  const common = {
    id,
    name: props.name,
    value: props.value,
    onInput: props.onInput,
    placeholder: props.placeholder,
    disabled: props.disabled,
    'aria-invalid': props.problem ? true : undefined,
    'aria-describedby': describedBy,
  };
  return (
    <label class="field" htmlFor={id}>
      <span>{props.label}</span>
      {props.rows ? (
        <textarea rows={props.rows} {...common} />
      ) : (
        <input type="text" class={props.mono ? 'mono' : undefined} maxLength={props.maxLength} {...common} />
      )}
      {props.problem ? (
        <span class="field-error" id={errorId}>
          {props.problem}
        </span>
      ) : null}
      {props.note ? (
        <span class="muted" id={props.note.id}>
          {props.note.text}
        </span>
      ) : null}
    </label>
  );
}
