"""``python -m clickfunnels_orders``: the command line (see :mod:`clickfunnels_orders.cli`)."""

from clickfunnels_orders.cli import main

if __name__ == "__main__":
    main()
