import React from 'react';

/** A titled section of a main-area view. */
export function Section(props: {
  title: React.ReactNode;
  children: React.ReactNode;
  testId?: string;
}): JSX.Element {
  return (
    <section className="mlops-lab-section" data-testid={props.testId}>
      <h3>{props.title}</h3>
      {props.children}
    </section>
  );
}
