// The part of anywidget's front-end model (https://anywidget.dev/en/afm/) the quiz widget uses.
interface AnyModel {
  get(name: string): unknown;
  set(name: string, value: unknown): void;
  save_changes(): void;
  on(event: string, callback: () => void): void;
  off(event: string, callback: () => void): void;
  send(content: unknown): void;
}
