import { useState } from 'preact/hooks';

/**
 * A date filter that looks empty when it is: a text field with a placeholder
 * until it is focused or holds a day, then the browser's date input. (An
 * empty date input shows a greyed date or mask in some engines, WebKitGTK
 * among them, which reads like an active filter.) Calls onChange with a day
 * (YYYY-MM-DD) or "".
 */
export function DateField(props: { label: string; placeholder: string; value: string; min?: string; max?: string; onChange: (day: string) => void }) {
  const [editing, setEditing] = useState(false);
  const asDate = editing || props.value !== '';
  return (
    <input
      class="input date"
      type={asDate ? 'date' : 'text'}
      aria-label={props.label}
      placeholder={props.placeholder}
      value={props.value}
      min={asDate ? props.min || undefined : undefined}
      max={asDate ? props.max || undefined : undefined}
      data-empty={props.value === ''}
      onFocus={() => setEditing(true)}
      onBlur={() => setEditing(false)}
      onChange={(e) => {
        const v = (e.currentTarget as HTMLInputElement).value;
        if (v === '' || /^\d{4}-\d{2}-\d{2}$/.test(v)) props.onChange(v);
      }}
    />
  );
}
