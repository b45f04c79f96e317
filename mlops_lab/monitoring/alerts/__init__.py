"""Alerts: rules over a monitor's figures (and failed pipeline runs), and the alerts they open,
acknowledged and resolved by people, told to webhooks."""
