import React from 'react';

/** The server's message about what went wrong, over the view; nothing when there is none. */
export function ErrorBanner(props: { message: string | null | undefined }): JSX.Element | null {
  if (!props.message) {
    return null;
  }
  return (
    <div className="mlops-lab-banner" role="alert">
      {props.message}
    </div>
  );
}
