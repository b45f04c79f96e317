import React from 'react';

/** A two-column table of names and values; empty text when there are none. */
export function KeyValueTable(props: {
  rows: [string, React.ReactNode][];
  empty: string;
  testId?: string;
}): JSX.Element {
  if (props.rows.length === 0) {
    return <p className="mlops-lab-muted">{props.empty}</p>;
  }
  return (
    <table className="mlops-lab-kv" data-testid={props.testId}>
      <tbody>
        {props.rows.map(([key, value]) => (
          <tr key={key}>
            <th scope="row" title={key}>
              {key}
            </th>
            <td>{value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
