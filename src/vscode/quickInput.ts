// One step of a multi-step input: an input box or a single-select quick pick with a Back button,
// the step in the title ("Add XMPP account (2/7)"), and the current value already selected.
import * as vscode from "vscode";

export const BACK = Symbol("back");
/** The answer, BACK, or undefined when the person pressed Escape (or the input was hidden). */
export type Answer<T> = T | typeof BACK | undefined;

export interface StepHeader {
  title: string;
  step?: number;
  total?: number;
  /** Whether Back is offered (not on the first step). */
  back: boolean;
}

function heading(h: StepHeader): string {
  return h.step !== undefined && h.total !== undefined ? `${h.title} (${h.step}/${h.total})` : h.title;
}

export interface TextStep extends StepHeader {
  prompt: string;
  placeholder?: string;
  value?: string;
  password?: boolean;
  /** A message when the text cannot be accepted, as it is typed. */
  validate?: (value: string) => string | undefined;
}

export function askText(o: TextStep): Promise<Answer<string>> {
  const box = vscode.window.createInputBox();
  box.title = heading(o);
  box.prompt = o.prompt;
  box.placeholder = o.placeholder ?? "";
  box.value = o.value ?? "";
  box.password = o.password ?? false;
  box.ignoreFocusOut = true;
  box.buttons = o.back ? [vscode.QuickInputButtons.Back] : [];
  const check = (v: string) => o.validate?.(v);
  box.validationMessage = box.value ? check(box.value) : undefined;
  return settle(box, (done, subscriptions) => {
    subscriptions.push(
      box.onDidChangeValue((v) => (box.validationMessage = check(v))),
      box.onDidAccept(() => {
        const problem = check(box.value);
        box.validationMessage = problem;
        if (!problem) done(box.value);
      }),
    );
  });
}

export interface PickStep<T extends vscode.QuickPickItem> extends StepHeader {
  placeholder: string;
  items: readonly T[];
  /** Selected when the step opens, so Enter keeps it (`picked` is ignored by single-select pickers). */
  active?: T | undefined;
}

export function askPick<T extends vscode.QuickPickItem>(o: PickStep<T>): Promise<Answer<T>> {
  const pick = vscode.window.createQuickPick<T>();
  pick.title = heading(o);
  pick.placeholder = o.placeholder;
  pick.items = o.items;
  pick.ignoreFocusOut = true;
  pick.matchOnDescription = true;
  pick.buttons = o.back ? [vscode.QuickInputButtons.Back] : [];
  if (o.active) pick.activeItems = [o.active];
  return settle(pick, (done, subscriptions) => {
    subscriptions.push(
      pick.onDidAccept(() => {
        const chosen = pick.selectedItems[0] ?? pick.activeItems[0];
        if (chosen) done(chosen);
      }),
    );
  });
}

/** Shows `input` until it is answered, Back is pressed or it is hidden; then disposes of it. */
function settle<T>(
  input: vscode.QuickInput & { onDidTriggerButton: vscode.Event<vscode.QuickInputButton> },
  wire: (done: (value: T) => void, subscriptions: vscode.Disposable[]) => void,
): Promise<Answer<T>> {
  return new Promise((resolve) => {
    const subscriptions: vscode.Disposable[] = [];
    let settled = false;
    const finish = (value: Answer<T>) => {
      if (settled) return;
      settled = true;
      vscode.Disposable.from(...subscriptions).dispose();
      input.dispose();
      resolve(value);
    };
    wire((value) => finish(value), subscriptions);
    subscriptions.push(
      input.onDidTriggerButton((button) => button === vscode.QuickInputButtons.Back && finish(BACK)),
      input.onDidHide(() => finish(undefined)),
    );
    input.show();
  });
}
