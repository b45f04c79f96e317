/**
 * The body of a dialog's form of text fields ("New monitor", "New retraining rule"): it keeps
 * what was typed (so a dialog shown again after a refusal starts from it) and draws a
 * labelled field a row.
 */
import React from 'react';
import { ReactWidget } from '@jupyterlab/apputils';

let forms = 0;

export abstract class FormBody<F extends { [K in keyof F]: string }> extends ReactWidget {
  /** Tells this form's suggestion lists from another open form's. */
  private readonly formId = ++forms;

  constructor(
    public fields: F,
    /** Each field's data-testid is this followed by the field's key. */
    private readonly testIdPrefix: string
  ) {
    super();
  }

  protected set(changed: Partial<F>): void {
    this.fields = { ...this.fields, ...changed };
    this.update();
  }

  /** The text field of `key`, labelled; `suggestions` are offered as it is typed in (the
   * field still takes any text: the server says what is wrong with it). */
  protected text(
    key: keyof F & string,
    label: string,
    placeholder: string,
    suggestions: string[] = []
  ): JSX.Element {
    const listId = suggestions.length ? `${this.testIdPrefix}${key}-${this.formId}-choices` : undefined;
    return (
      <label className="mlops-lab-form-row">
        <span>{label}</span>
        <input
          className="jp-mod-styled"
          data-testid={`${this.testIdPrefix}${key}`}
          value={this.fields[key]}
          placeholder={placeholder}
          list={listId}
          onChange={event => this.set({ [key]: event.target.value } as unknown as Partial<F>)}
        />
        {listId && (
          <datalist id={listId} data-testid={`${this.testIdPrefix}${key}-choices`}>
            {suggestions.map(value => (
              <option key={value} value={value} />
            ))}
          </datalist>
        )}
      </label>
    );
  }
}
