// A small spinning ring; decorative, so the text next to it carries the meaning.
export function Spinner({ label }: { label?: string }) {
  return label ? (
    <span className="spinner" role="img" aria-label={label} />
  ) : (
    <span className="spinner" aria-hidden="true" />
  );
}
