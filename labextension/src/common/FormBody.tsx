/**
 * The body of a dialog's form of text fields ("New monitor", "New retraining rule"): it keeps
 * what was typed (so a dialog shown again after a refusal starts from it) and draws a
 * labelled field a row.
 */
import React from 'react';
import { ReactWidget } from '@jupyterlab/apputils';

export abstract class FormBody<F extends { [K in keyof F]: string }> extends ReactWidget {
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

  /** The text field of `key`, labelled. */
  protected text(key: keyof F & string, label: string, placeholder: string): JSX.Element {
    return (
      <label className="mlops-lab-form-row">
        <span>{label}</span>
        <input
          className="jp-mod-styled"
          data-testid={`${this.testIdPrefix}${key}`}
          value={this.fields[key]}
          placeholder={placeholder}
          onChange={event => this.set({ [key]: event.target.value } as unknown as Partial<F>)}
        />
      </label>
    );
  }
}
