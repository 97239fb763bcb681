"""One module per page; Dash pages registers each with `register_page`."""
