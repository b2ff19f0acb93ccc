"""Side effects of the domain: mail, PDF archives, purging and moving logs."""
