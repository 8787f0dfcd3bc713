/**
 * A date filter that looks empty when it is. An empty date input shows a
 * greyed date mask (WebKitGTK shows a greyed date) that reads like an active
 * filter; while empty and unfocused, the mask is hidden and a placeholder
 * says what the field is for. Calls onChange with a day (YYYY-MM-DD) or "".
 */
export function DateField(props: { label: string; placeholder: string; value: string; min?: string; max?: string; onChange: (day: string) => void }) {
  return (
    <span class="date-field">
      <input
        class="input date"
        type="date"
        aria-label={props.label}
        value={props.value}
        min={props.min || undefined}
        max={props.max || undefined}
        data-empty={props.value === ''}
        onChange={(e) => props.onChange((e.currentTarget as HTMLInputElement).value)}
      />
      {props.value === '' && (
        <span class="date-placeholder" aria-hidden="true">
          {props.placeholder}
        </span>
      )}
    </span>
  );
}
